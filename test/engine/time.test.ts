import { describe, expect, it } from 'vitest';
import { parseTime } from '../../engine/time.js';

describe('parseTime', () => {
  it('reads RFC 3339 in every form a recording or a user may write', () => {
    const ms = Date.UTC(2026, 0, 5, 8, 30, 15, 250);
    expect(parseTime('2026-01-05T08:30:15.250Z')).toBe(ms);
    expect(parseTime('2026-01-05T08:30:15.25Z')).toBe(ms);
    expect(parseTime('2026-01-05T09:30:15.250+01:00')).toBe(ms);
    expect(parseTime('2026-01-05t08:30:15.250z')).toBe(ms);
    expect(parseTime('2026-01-05 08:30:15.250Z')).toBe(ms);
    expect(parseTime(ms)).toBe(ms);
  });

  it('keeps reading correctly across minutes, hours and days with its cache', () => {
    const times = [
      '2026-01-05T23:59:59.999Z',
      '2026-01-06T00:00:00.000Z',
      '2026-01-06T00:00:59.001Z',
      '2026-01-06T00:01:00.000Z',
    ];
    for (const t of times) expect(parseTime(t)).toBe(Date.parse(t));
  });

  it.each([
    'yesterday',
    '2026-01-05',
    '2026-01-05T08:30:1x.250Z',
    '2026-01-05T08:30:15.2x0Z',
    '2026-13-05T08:30:15.250Z',
    '',
    null,
    Number.NaN,
  ])('rejects %s', (t) => {
    parseTime('2026-01-05T08:30:00.000Z'); // warm the cache with the same minute
    expect(parseTime(t)).toBeNaN();
  });
});
