// bench:map on a small generated metro: what reaches the browser stays at most cells² cells and the down cap,
// however many devices the city has.
import { describe, expect, it } from 'vitest';
import { runMapBench } from '../../bench/map/run.js';

describe('bench:map', () => {
  it('sends a bounded map for 20,000 and for 80,000 devices', () => {
    const small = runMapBench(20_000, 1);
    const large = runMapBench(80_000, 1);
    for (const r of [small, large]) {
      expect(r.cells).toBeLessThanOrEqual(40 * 40);
      expect(r.downListed).toBe(500);
    }
    expect(large.devices).toBeGreaterThan(3.5 * small.devices);
    // Four times the devices: every position grows with them, the map barely.
    expect(large.pointsBytes / small.pointsBytes).toBeGreaterThan(3.5);
    expect(large.mapBytes / small.mapBytes).toBeLessThan(1.5);
  });
});
