import { describe, expect, it } from 'vitest';
import { DuplicateFilter } from '../../engine/duplicates.js';

const MIN = 60_000;

describe('DuplicateFilter', () => {
  it('accepts a lower seq never seen (out of order) and catches its repeat', () => {
    const d = new DuplicateFilter(2);
    expect(d.isRepeat(0, 10, 0)).toBe(false);
    expect(d.isRepeat(0, 8, 1)).toBe(false);
    expect(d.isRepeat(0, 8, 2)).toBe(true);
    expect(d.isRepeat(0, 10, 3)).toBe(true);
    expect(d.isRepeat(1, 10, 3)).toBe(false); // another stream
  });

  it('forgets after the window, also a device that restarted its seq', () => {
    const d = new DuplicateFilter(1);
    d.isRepeat(0, 5, 0);
    expect(d.isRepeat(0, 5, 10 * MIN)).toBe(true);
    // the repeat at 10 min was not accepted, so it does not extend the window: 1 ms later it is new
    expect(d.isRepeat(0, 5, 10 * MIN + 1)).toBe(false);
    expect(d.isRepeat(0, 0, 30 * MIN)).toBe(false); // a device that restarted from 0
  });

  it('stays exact while its ring grows past its first size under many streams', () => {
    const streams = 5000;
    const d = new DuplicateFilter(streams);
    for (let round = 0; round < 3; round++) {
      for (let s = 0; s < streams; s++) expect(d.isRepeat(s, round, round * 1000 + s / 10)).toBe(false);
    }
    expect(d.size).toBe(3 * streams);
    for (let s = 0; s < streams; s += 7) expect(d.isRepeat(s, 1, 5000)).toBe(true);
    expect(d.isRepeat(3, 3, 5000)).toBe(false);
  });
});
