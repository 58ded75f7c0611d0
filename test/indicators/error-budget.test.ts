// Error-budget arithmetic (docs/indicators.md "Error budgets"): worked fixtures, and properties that hold for
// any series: a series spending exactly its budget burns at 1, and with a full window at or above target
// behind it, the budget left only goes down while the value stays below target.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  budgetState,
  budgetTime,
  burnRateOver,
  formatDuration,
  keepMsFor,
  type Objective,
} from '../../indicators/error-budget.js';
import { StepSeries } from '../../indicators/step-series.js';

const MIN = 60_000;
const H = 3_600_000;
const D = 24 * H;
const cams: Objective = { indicator: 'availability.cctv', scope: 'city', target: 99.5, window: '30d' };

const seriesOf = (o: Objective, points: [number, number | null][]) => {
  const s = new StepSeries(keepMsFor(o));
  for (const [t, v] of points) s.set(t, v);
  return s;
};

describe('error budget fixtures', () => {
  it('a 30-day window at 99.5 % on a 99.5 % target spends the budget exactly: burn rate 1, nothing left', () => {
    const s = seriesOf(cams, [[0, 99.5]]);
    const st = budgetState(s, cams, 30 * D);
    expect(st.budget).toBeCloseTo(0.005, 12);
    expect(st.budgetLeft).toBeCloseTo(0, 9);
    expect(st.coverage).toBe(1);
    for (const w of ['5m', '30m', '1h', '6h', '3d']) expect(st.burnRates[w]).toBeCloseTo(1, 9);
    expect(st.firing).toEqual({ page: undefined, ticket: undefined });
  });

  it('one hour at 0 % in 30 days at 100 % leaves 1 − 1/216 of 3 h 36 min: 2 h 36 min', () => {
    const s = seriesOf(cams, [
      [0, 100],
      [10 * D, 0],
      [10 * D + H, 100],
    ]);
    const st = budgetState(s, cams, 30 * D);
    // budget = 0.5 % of 720 h = 3.6 h; 1 h spent
    expect(st.budgetLeft).toBeCloseTo(1 - 1 / 3.6, 9);
    expect(budgetTime(cams, st.budgetLeft).text).toBe('2 h 36 min of 3 h 36 min left');
  });

  it('pages when 1 h and 5 min both burn over 14.4, and the 5 min window alone does not page', () => {
    // 20 % of cameras dark on a 99 % target: burn 20 from the moment it starts.
    const o: Objective = { ...cams, target: 99 };
    const down = 10 * D;
    const s = seriesOf(o, [
      [0, 100],
      [down, 80],
    ]);
    // 5 min burns over 14.4 after 216 s; 1 h only after 0.2·x/3600 > 0.144, x > 2592 s
    expect(budgetState(s, o, down + 2591_000).firing.page).toBeUndefined();
    expect(budgetState(s, o, down + 2591_000).burnRates['5m']).toBeCloseTo(20, 9);
    const at = budgetState(s, o, down + 2593_000);
    expect(at.firing.page).toMatchObject({ burnRate: 14.4, long: '1h', short: '5m' });
    expect(at.burnRates['1h']).toBeCloseTo((0.2 * 2593) / 3600 / 0.01, 9);
  });

  it('leaves unknown time out: 10 minutes of data in a 30-day window give coverage 10 min / 30 d', () => {
    const now = 40 * D;
    const s = seriesOf(cams, [
      [now - 10 * MIN, 99],
      [now - 5 * MIN, null],
    ]);
    const st = budgetState(s, cams, now);
    // known: 5 min at 99 % → bad 1 %, double the budget
    expect(st.budgetLeft).toBeCloseTo(1 - 0.01 / 0.005, 9);
    expect(st.coverage).toBeCloseTo((5 * MIN) / (30 * D), 12);
    expect(st.burnRates['5m']).toBeNull();
    expect(budgetState(new StepSeries(D), cams, now).budgetLeft).toBeNull();
  });

  it('writes durations to the minute', () => {
    expect(formatDuration(72 * MIN)).toBe('1 h 12 min');
    expect(formatDuration(2 * D + 3 * MIN)).toBe('2 d 3 min');
    expect(formatDuration(-30 * MIN)).toBe('-30 min');
    expect(formatDuration(12_000)).toBe('12 s');
    expect(formatDuration(59_600)).toBe('1 min');
    expect(formatDuration(-10)).toBe('0 s');
  });
});

const steps = (min: number, max: number) =>
  fc.array(fc.tuple(fc.integer({ min: 1, max: 6 * H }), fc.double({ min, max, noNaN: true })), {
    minLength: 1,
    maxLength: 30,
  });

describe('error budget properties', () => {
  test.prop([steps(0, 100)])(
    'a series whose mean is the target burns at exactly 1 over its window',
    (parts) => {
      const total = parts.reduce((a, [d]) => a + d, 0);
      const mean = parts.reduce((a, [d, v]) => a + d * v, 0) / total;
      fc.pre(mean > 0.01 && mean < 99.99);
      const o: Objective = { indicator: 'a', scope: 'city', target: mean, window: `${total}ms` };
      const s = new StepSeries(keepMsFor(o));
      let t = 0;
      for (const [d, v] of parts) {
        s.set(t, v);
        t += d;
      }
      expect(burnRateOver(s, o.target, t, total)).toBeCloseTo(1, 6);
      expect(budgetState(s, o, t).budgetLeft).toBeCloseTo(0, 6);
    },
  );

  test.prop([
    fc.double({ min: 90, max: 99.99, noNaN: true }),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 5 * D }), fc.double({ min: 0, max: 1, noNaN: true })), {
      minLength: 1,
      maxLength: 10,
    }),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 8 * H }), fc.double({ min: 0, max: 1, noNaN: true })), {
      minLength: 1,
      maxLength: 20,
    }),
  ])(
    'budget left only goes down while the value is below target, after a full window at or above it',
    (target, good, bad) => {
      const o: Objective = { indicator: 'a', scope: 'city', target, window: '7d' };
      const s = new StepSeries(keepMsFor(o));
      // a full window at or above target; the bad stretch stays shorter than the window (at most 160 h)
      s.set(0, 100);
      let t = 7 * D;
      for (const [d, f] of good) {
        s.set(t, target + f * (100 - target));
        t += d;
      }
      let last = budgetState(s, o, t).budgetLeft ?? Number.POSITIVE_INFINITY;
      for (const [d, f] of bad) {
        s.set(t, f * target * 0.999);
        for (const x of [t + d / 2, t + d]) {
          const left = budgetState(s, o, x).budgetLeft!;
          expect(left).toBeLessThan(last + 1e-9);
          last = left;
        }
        t += d;
      }
    },
  );
});
