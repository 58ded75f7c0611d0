// The city's time zone: validation in city.json and the wall-clock arithmetic periods and pages rely on.
import { describe, expect, it } from 'vitest';
import { cityTimeZoneLogged } from '../../cli/time-zone-log.js';
import { parseCityJson } from '../../registry/city-file.js';
import { cityTimeZone } from '../../registry/inventory.js';
import { formatRowError, loadInventoryDir } from '../../registry/load-inventory.js';
import { formatInZone, wallClockToInstant, zoneOffsetMs } from '../../registry/time-zone.js';

import { inventoryDir } from '../support/tmp.js';

const iso = (t: number) => new Date(t).toISOString();
const LA = 'America/Los_Angeles';

describe('city.json timeZone', () => {
  it('keeps a valid IANA zone, canonical', () => {
    expect(parseCityJson('{"timeZone":"America/Los_Angeles"}')).toMatchObject({ city: { timeZone: LA } });
    expect(parseCityJson('{"timeZone":"US/Pacific"}')).toMatchObject({ city: { timeZone: LA } });
  });

  it('refuses an unknown zone, naming an example', () => {
    const r = parseCityJson('{"name":"X","timeZone":"Mars/Olympus"}');
    expect(r).toEqual({ error: expect.stringContaining('timeZone') });
    expect((r as { error: string }).error).toContain('unknown time zone "Mars/Olympus"');
    expect((r as { error: string }).error).toContain('Europe/Paris');
    expect(parseCityJson('{"timeZone":"+02:00"}')).toHaveProperty('error');
    expect(parseCityJson('{"timeZone":""}')).toHaveProperty('error');
    expect(parseCityJson('{"timeZone":7}')).toHaveProperty('error');
  });

  it('means UTC when absent', () => {
    const r = parseCityJson('{"name":"X"}') as { city: { timeZone?: string } };
    expect(r.city.timeZone).toBeUndefined();
    expect(cityTimeZone(r.city)).toBe('UTC');
  });
});

describe('wall clock in a zone', () => {
  it('finds local midnights on both sides of a daylight-saving change', () => {
    expect(iso(wallClockToInstant(Date.UTC(2026, 0, 1), LA))).toBe('2026-01-01T08:00:00.000Z');
    expect(iso(wallClockToInstant(Date.UTC(2026, 3, 1), LA))).toBe('2026-04-01T07:00:00.000Z');
    expect(iso(wallClockToInstant(Date.UTC(2026, 0, 1), 'Asia/Kathmandu'))).toBe('2025-12-31T18:15:00.000Z');
  });

  it('moves a skipped time forward by the jump and a repeated one to its first occurrence', () => {
    // 2026-03-08 02:30 never happens in Los Angeles (03:30 PDT stands for it); 2026-11-01 01:30 happens twice.
    expect(iso(wallClockToInstant(Date.UTC(2026, 2, 8, 2, 30), LA))).toBe('2026-03-08T10:30:00.000Z');
    expect(iso(wallClockToInstant(Date.UTC(2026, 10, 1, 1, 30), LA))).toBe('2026-11-01T08:30:00.000Z');
    // Santiago moves its clocks at midnight: 2026-09-06 00:00 does not exist there.
    expect(iso(wallClockToInstant(Date.UTC(2026, 8, 6), 'America/Santiago'))).toBe(
      '2026-09-06T04:00:00.000Z',
    );
  });

  it('gives the offset and the text a person reads', () => {
    expect(zoneOffsetMs(Date.UTC(2026, 6, 1), LA)).toBe(-7 * 3_600_000);
    expect(zoneOffsetMs(Date.UTC(2026, 0, 1, 0, 0, 0, 500), 'Europe/Paris')).toBe(3_600_000);
    expect(formatInZone(Date.UTC(2026, 0, 5, 6), LA)).toBe('2026-01-04 22:00 PST');
    expect(formatInZone(Date.UTC(2026, 6, 5, 6), 'UTC')).toBe('2026-07-05 06:00 UTC');
  });
});

describe('a city without a zone, or with a wrong one', () => {
  it('refuses an unknown zone at import, naming the file, the key and an example', async () => {
    const dir = inventoryDir({ 'city.json': '{"name":"X","timeZone":"Europe/Pariss"}' });
    const { errors } = await loadInventoryDir(dir);
    expect(errors.map(formatRowError)).toEqual([
      expect.stringMatching(/^city\.json:1: .*timeZone.*unknown time zone "Europe\/Pariss".*"Europe\/Paris"/),
    ]);
  });

  it('says once in the log that times are shown in UTC, and how to name the zone', () => {
    const warnings: string[] = [];
    const log = { warn: (_obj: object, message: string) => warnings.push(message) };
    expect(cityTimeZoneLogged({}, log)).toBe('UTC');
    expect(warnings).toEqual([
      'city.json names no timeZone; times are shown in UTC; add "timeZone": "Europe/Paris" (its IANA name) to city.json and run citygauge import',
    ]);
    expect(cityTimeZoneLogged({ timeZone: 'Asia/Tokyo' }, log)).toBe('Asia/Tokyo');
    expect(warnings).toHaveLength(1);
  });
});
