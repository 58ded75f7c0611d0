// Issue 14 item 3: the quality rule on plain tallies, every number worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  addDevice,
  emptyTally,
  judgeQuality,
  judgeWeighted,
  type QualityTally,
} from '../../indicators/quality.js';

const AT = 1_000_000;
const tally = (expected: number, heard: number, newestAt = AT - 5_000): QualityTally => ({
  expected,
  heard,
  newestAt,
});

describe('a device in a tally', () => {
  it('is heard when its last message is at most its interval old, inclusive, at the instant', () => {
    const t = emptyTally();
    addDevice(t, AT - 30_000, 30_000, AT, false); // exactly one interval: heard
    addDevice(t, AT - 30_001, 30_000, AT, false); // 1 ms over: expected, not heard
    addDevice(t, Number.NaN, 30_000, AT, false); // never heard
    expect(t).toEqual({ expected: 3, heard: 1, newestAt: AT - 30_000 });
  });

  it('is not expected while in maintenance, and its messages are not behind the value', () => {
    const t = emptyTally();
    addDevice(t, AT - 1_000, 30_000, AT, true);
    addDevice(t, AT - 60_000, 30_000, AT, false);
    expect(t).toEqual({ expected: 1, heard: 0, newestAt: AT - 60_000 });
  });

  it('does not count a message after the instant (a replay asked about the past)', () => {
    const t = emptyTally();
    addDevice(t, AT + 1, 30_000, AT, false);
    expect(t).toEqual({ expected: 1, heard: 0, newestAt: Number.NEGATIVE_INFINITY });
  });
});

describe('the quality flag', () => {
  it('is good at 9 of 10 heard, with coverage 0.9 and the newest message 5 s old', () => {
    expect(judgeQuality(tally(10, 9), AT, true, false)).toEqual({
      flag: 'good',
      coverage: 0.9,
      stalenessMs: 5_000,
      heard: 9,
      expected: 10,
    });
  });

  it('is degraded just under 9 in 10 (26 of 29 = 0.896551724) and says how many were heard', () => {
    expect(judgeQuality(tally(29, 26), AT, true, false)).toEqual({
      flag: 'degraded',
      coverage: 0.896551724,
      stalenessMs: 5_000,
      heard: 26,
      expected: 29,
      reason: '26 of 29 devices heard within their interval (89 %)',
    });
  });

  it('is unknown when no device is expected (all in maintenance) or none was ever heard', () => {
    expect(judgeQuality(tally(0, 0, Number.NEGATIVE_INFINITY), AT, true, false)).toMatchObject({
      flag: 'unknown',
      coverage: null,
      stalenessMs: null,
      reason: 'no device is expected to report for it now',
    });
    expect(judgeQuality(tally(3, 0, Number.NEGATIVE_INFINITY), AT, true, false)).toMatchObject({
      flag: 'unknown',
      coverage: 0,
      reason: 'none of its 3 devices has been heard yet',
    });
  });

  it('is unknown without a value, whatever the devices say', () => {
    expect(judgeQuality(tally(4, 4), AT, false, false).flag).toBe('unknown');
  });

  it('is good for a value the registry alone settles, even with nothing heard, and still reports coverage', () => {
    expect(judgeQuality(tally(4, 1, AT - 90_000), AT, true, true)).toEqual({
      flag: 'good',
      coverage: 0.25,
      stalenessMs: 90_000,
      heard: 1,
      expected: 4,
    });
  });
});

describe('a weighted indicator', () => {
  const good = (id: string, t: QualityTally) => ({ id, tally: t, quality: judgeQuality(t, AT, true, false) });

  it('sums its parts, takes the newest message of any, and the worst flag with that part named', () => {
    const a = good('b1', tally(10, 10, AT - 2_000));
    const b = good('b4', tally(10, 5, AT - 7_000));
    expect(judgeWeighted([a, b], AT, true).quality).toEqual({
      flag: 'degraded',
      coverage: 0.75,
      stalenessMs: 2_000,
      heard: 15,
      expected: 20,
      reason: 'b4: 5 of 10 devices heard within their interval (50 %)',
    });
  });

  it('is unknown when a part is unknown, even if another is degraded', () => {
    const a = good('b4', tally(10, 5));
    const b = good('b5', tally(0, 0, Number.NEGATIVE_INFINITY));
    expect(judgeWeighted([a, b], AT, true).quality).toMatchObject({
      flag: 'unknown',
      reason: 'b5: no device is expected to report for it now',
    });
  });

  it('is good with only good parts, and with no indicator part at all (city flags only)', () => {
    expect(judgeWeighted([good('b1', tally(2, 2))], AT, true).quality.flag).toBe('good');
    expect(judgeWeighted([], AT, true).quality).toMatchObject({ flag: 'good', coverage: null });
  });
});
