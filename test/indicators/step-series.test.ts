import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { StepSeries } from '../../indicators/step-series.js';

const H = 3_600_000;

describe('StepSeries time-weighted mean', () => {
  it('weights each value by how long it held', () => {
    const s = new StepSeries(24 * H);
    s.set(0, 100);
    s.set(15 * 60_000, 50); // 100 for 15 min, then 50 for 45 min
    expect(s.meanOver(-H, H)).toBeCloseTo((100 * 15 + 50 * 45) / 60, 9);
  });

  it('covers only the part of the window after the first point', () => {
    const s = new StepSeries(24 * H);
    s.set(10 * 60_000, 80);
    s.set(40 * 60_000, 20);
    // window [0, 60 min]: defined from 10 min on: 80 for 30 min, 20 for 20 min
    expect(s.meanOver(0, 60 * 60_000)).toBeCloseTo((80 * 30 + 20 * 20) / 50, 9);
  });

  it('leaves out stretches where the value was null', () => {
    const s = new StepSeries(24 * H);
    s.set(0, 60);
    s.set(10, null);
    s.set(30, 90);
    // 60 for 10 ms, undefined for 20 ms, 90 for 10 ms → (600 + 900) / 20
    expect(s.meanOver(0, 40)).toBeCloseTo(75, 9);
  });

  it('cuts the window start inside a segment', () => {
    const s = new StepSeries(24 * H);
    s.set(0, 10);
    s.set(100, 20);
    s.set(200, 30);
    // [150, 250]: 20 for 50, 30 for 50
    expect(s.meanOver(150, 250)).toBeCloseTo(25, 9);
  });

  it('is null when the value was never defined in the window, or the window is empty', () => {
    const s = new StepSeries(H);
    expect(s.meanOver(0, 10)).toBeNull();
    s.set(0, null);
    expect(s.meanOver(0, 10)).toBeNull();
    s.set(5, 40);
    expect(s.meanOver(5, 5)).toBeNull();
    expect(s.meanOver(0, 15)).toBe(40);
  });

  it('replaces a value set twice at the same instant', () => {
    const s = new StepSeries(H);
    s.set(0, 10);
    s.set(50, 20);
    s.set(50, 40);
    expect(s.meanOver(0, 100)).toBeCloseTo((10 * 50 + 40 * 50) / 100, 9);
  });

  it('forgets changes older than the longest window, and stays exact after compaction', () => {
    const s = new StepSeries(1000);
    for (let t = 0; t < 100_000; t += 10) s.set(t, (t / 10) % 2 === 0 ? 0 : 100);
    expect(s.size).toBeLessThan(3000);
    // alternating 0/100 every 10 ms: the mean of the last second is 50
    expect(s.meanOver(99_000 - 10, 99_990)).toBeCloseTo(50, 6);
  });

  it('keeps no point for a value that moves and comes back within one instant', () => {
    const s = new StepSeries(H);
    s.set(0, 10);
    s.set(50, 20);
    s.set(50, 10);
    expect(s.size).toBe(1);
    s.set(80, 30);
    expect(s.meanOver(0, 100)).toBeCloseTo((10 * 80 + 30 * 20) / 100, 9);
  });
});

// A cluster's merge applies one instant's changes in another order than one process does: the series,
// and every mean read from it, must come out the same to the last bit (cluster/merge.ts relies on it).
describe('StepSeries is blind to the order of changes within an instant', () => {
  const value = fc.oneof(
    fc.constant(null),
    fc.integer({ min: 0, max: 8 }).map((x) => (x * 100) / 7),
  );
  const instants = fc.array(
    fc.record({
      gap: fc.integer({ min: 1, max: 400 }),
      values: fc.array(value, { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 3000 },
  );
  test.prop([instants, fc.integer({ min: 50, max: 5000 })], { numRuns: 200 })(
    'the intermediate values of an instant leave no trace',
    (steps, keepMs) => {
      const busy = new StepSeries(keepMs);
      const quiet = new StepSeries(keepMs);
      let t = 0;
      for (const { gap, values } of steps) {
        t += gap;
        for (const v of values) busy.set(t, v);
        quiet.set(t, values[values.length - 1]);
      }
      expect(busy.size).toBe(quiet.size);
      for (let to = t; to > t - keepMs - 100; to -= 37) {
        for (const w of [keepMs, keepMs / 3])
          expect(busy.meanOver(to - w, to)).toBe(quiet.meanOver(to - w, to));
      }
    },
  );
});
