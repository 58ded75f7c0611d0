// Report periods are the city's own years and quarters (city.json timeZone), daylight-saving changes included.
import { describe, expect, it } from 'vitest';
import { currentYear, isPeriod, type Period, parsePeriod } from '../../scorecard/period.js';

const LA = 'America/Los_Angeles';
const span = (raw: string, zone?: string) => {
  const p = parsePeriod(raw, zone);
  if (!isPeriod(p)) throw new Error(p.message);
  return [new Date(p.fromMs).toISOString(), new Date(p.toMs).toISOString()];
};

describe('report periods in the city zone', () => {
  it("runs a quarter from the city's local midnight to the next quarter's, across the spring change", () => {
    // 2026-03-08 Los Angeles moves from PST (-8) to PDT (-7): the quarter is an hour shorter than 90 days.
    expect(span('2026-Q1', LA)).toEqual(['2026-01-01T08:00:00.000Z', '2026-04-01T07:00:00.000Z']);
    const q1 = parsePeriod('2026-Q1', LA) as Period;
    expect(q1.toMs - q1.fromMs).toBe(90 * 86_400_000 - 3_600_000);
  });

  it('runs a quarter across the autumn change an hour longer', () => {
    expect(span('2026-Q4', LA)).toEqual(['2026-10-01T07:00:00.000Z', '2027-01-01T08:00:00.000Z']);
  });

  it('runs a year from local New Year to local New Year', () => {
    expect(span('2026', LA)).toEqual(['2026-01-01T08:00:00.000Z', '2027-01-01T08:00:00.000Z']);
    expect(span('2026', 'Asia/Tokyo')).toEqual(['2025-12-31T15:00:00.000Z', '2026-12-31T15:00:00.000Z']);
    expect(span('2026-Q3', 'Europe/Paris')).toEqual(['2026-06-30T22:00:00.000Z', '2026-09-30T22:00:00.000Z']);
  });

  it('is UTC when the city names no zone', () => {
    expect(span('2026-Q2')).toEqual(['2026-04-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z']);
  });

  it("takes the city's current year, not UTC's, as the default period", () => {
    const newYearInTokyo = Date.parse('2026-12-31T16:00:00Z');
    expect(currentYear(newYearInTokyo, 'Asia/Tokyo')).toBe('2027');
    expect(currentYear(newYearInTokyo, 'UTC')).toBe('2026');
    expect(currentYear(Date.parse('2027-01-01T05:00:00Z'), LA)).toBe('2026');
  });
});
