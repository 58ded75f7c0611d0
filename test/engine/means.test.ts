// docs/contract.md §4: time-weighted means over the windows of city.json, from the first input on.
import { describe, expect, it } from 'vitest';
import { TestCity } from '../support/city.js';

const city = () =>
  new TestCity({
    city: { windows: ['10m', '1h'] },
    devices: [
      { id: 'sen-1', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
      { id: 'sen-2', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
    ],
  });

describe('window means', () => {
  it('weights availability by how long it held, over the part of each window after the first input', () => {
    const c = city();
    c.heartbeat(0, 'sensor', 'sen-1'); // 50 % from 0 s
    c.heartbeat(60, 'sensor', 'sen-2'); // 100 % from 60 s
    c.heartbeat(120, 'sensor', 'sen-1');
    c.heartbeat(120, 'sensor', 'sen-2');
    // both stale after 120 + 180 = 300 s: 0 % from 300 s
    const r = c.record(600, 'availability.sensor');
    expect(r.value).toBe(0);
    // 10 m window = [0, 600]: 50·60 + 100·240 + 0·300 over 600 s
    expect(r.means['10m']).toBeCloseTo((50 * 60 + 100 * 240) / 600, 9);
    // 1 h window: the same, since only 600 s of it follow the first input
    expect(r.means['1h']).toBeCloseTo((50 * 60 + 100 * 240) / 600, 9);
    const later = c.record(900, 'availability.sensor');
    // 10 m window = [300, 900]: all 0; 1 h window = [0, 900]
    expect(later.means['10m']).toBe(0);
    expect(later.means['1h']).toBeCloseTo((50 * 60 + 100 * 240) / 900, 9);
  });

  it('has null means before the first input, and before any time has passed', () => {
    const c = city();
    expect(c.record(0, 'availability.sensor').means).toEqual({ '10m': null, '1h': null });
    c.heartbeat(10, 'sensor', 'sen-1');
    expect(c.record(10, 'availability.sensor').means).toEqual({ '10m': null, '1h': null });
    expect(c.record(20, 'availability.sensor').means['10m']).toBe(50);
  });

  it('leaves out the time a value was null', () => {
    const c = new TestCity({
      city: { windows: ['1h'] },
      routes: [{ id: 'R1', district: 'north' }],
      devices: [{ id: 'bus-1', kind: 'transit-beacon', district: 'south' }],
    });
    c.heartbeat(0, 'transit-beacon', 'bus-1');
    // L1.2.2 for south has no routes: null all along, so its mean is null too
    expect(c.record(600, 'L1.2.2', 'south').means['1h']).toBeNull();
    expect(c.record(600, 'L1.2.2', 'north').means['1h']).toBe(0);
  });
});
