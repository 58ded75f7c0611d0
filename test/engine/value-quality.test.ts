// Issue 14 item 3: every value's coverage, staleness and quality flag from a running engine, on its clock.
import { describe, expect, it } from 'vitest';
import type { MaintenanceWindow } from '../../registry/maintenance-windows.js';
import { at, TestCity } from '../support/city.js';

const city = () =>
  new TestCity({
    areas: [
      { id: 'plaza', class: 'key-public', district: 'centre' },
      { id: 'park', class: 'key-public', district: 'north' },
    ],
    pipes: [{ id: 'p1', lengthM: 100, district: 'centre' }],
    devices: [
      { id: 'cam-1', kind: 'cctv', assetId: 'plaza', expectedIntervalS: 30 },
      { id: 'cam-2', kind: 'cctv', assetId: 'plaza', expectedIntervalS: 30 },
      { id: 'cam-3', kind: 'cctv', assetId: 'park', expectedIntervalS: 30 },
      { id: 'pm-1', kind: 'pipe-monitor', assetId: 'p1', expectedIntervalS: 60 },
    ],
  });

const camerasUp = (c: TestCity, seconds: number, ids = ['cam-1', 'cam-2', 'cam-3']) => {
  for (const id of ids) c.status(seconds, 'cctv', id, { video: 'ok', shared: false });
};

describe('quality on every value', () => {
  it('is unknown before any device behind a value was heard', () => {
    const c = city();
    c.heartbeat(0, 'pipe-monitor', 'pm-1');
    expect(c.record(1, 'L2.2.1.b4').quality).toEqual({
      flag: 'unknown',
      coverage: 0,
      stalenessMs: null,
      heard: 0,
      expected: 3,
      reason: 'none of its 3 devices has been heard yet',
    });
  });

  it('is good while every device is heard within its interval, with the newest message’s age', () => {
    const c = city();
    camerasUp(c, 0);
    c.heartbeat(4, 'pipe-monitor', 'pm-1');
    expect(c.record(10, 'L2.2.1.b4').quality).toEqual({
      flag: 'good',
      coverage: 1,
      stalenessMs: 10_000,
      heard: 3,
      expected: 3,
    });
    expect(c.record(10, 'L2.1.1', 'centre').quality).toMatchObject({ flag: 'good', stalenessMs: 6_000 });
  });

  it('degrades a value that still reads 100 % when a device is late, city-wide and in its district only', () => {
    const c = city();
    camerasUp(c, 0);
    camerasUp(c, 20, ['cam-1', 'cam-2']);
    // cam-3 was heard 45 s ago: still online (3 × 30 s) but not within its 30 s interval.
    const cityRow = c.record(45, 'L2.2.1.b4');
    expect(cityRow.value).toBe(100);
    expect(cityRow.quality).toEqual({
      flag: 'degraded',
      coverage: 0.666666667,
      stalenessMs: 25_000,
      heard: 2,
      expected: 3,
      reason: '2 of 3 devices heard within their interval (66 %)',
    });
    expect(c.record(45, 'L2.2.1.b4', 'north').quality).toMatchObject({ flag: 'degraded', coverage: 0 });
    expect(c.record(45, 'L2.2.1.b4', 'centre').quality).toMatchObject({ flag: 'good', coverage: 1 });
    // The last instant cam-3 still counts as heard is exactly 30 s after its message.
    const c2 = city();
    camerasUp(c2, 0);
    camerasUp(c2, 20, ['cam-1', 'cam-2']);
    expect(c2.engine.snapshot(at(30)).indicators.find((i) => i.id === 'L2.2.1.b4')?.quality?.flag).toBe(
      'good',
    );
    expect(c2.engine.snapshot(at(30) + 1).indicators.find((i) => i.id === 'L2.2.1.b4')?.quality?.flag).toBe(
      'degraded',
    );
  });

  it('leaves a device in maintenance out of what is expected', () => {
    const c = city();
    const w: MaintenanceWindow = {
      id: 'w1',
      reason: 'lens',
      by: 'olga',
      devices: ['cam-3'],
      assets: [],
      districts: [],
      createdAt: 0,
      start: at(40),
      end: at(3600),
    };
    c.engine.setMaintenance([w]);
    camerasUp(c, 0);
    camerasUp(c, 20, ['cam-1', 'cam-2']);
    expect(c.record(45, 'L2.2.1.b4').quality).toMatchObject({ flag: 'good', heard: 2, expected: 2 });
    expect(c.record(46, 'L2.2.1.b4', 'north').quality).toMatchObject({
      flag: 'unknown',
      expected: 0,
      reason: 'no device is expected to report for it now',
    });
  });

  it('keeps a registry-settled value good, and names the worst part of a weighted one', () => {
    const c = city();
    camerasUp(c, 0);
    expect(c.record(100, 'L2.2.1.b1').quality).toMatchObject({ flag: 'good', coverage: 0 });
    // No key-industry area: L2.2.1.b3 has no value, so neither has L2.2.1.
    expect(c.record(100, 'L2.2.1').quality).toMatchObject({ flag: 'unknown' });
    expect(c.record(100, 'L2.2.1').quality?.reason).toMatch(/^L2\.2\.1\.b3: no value/);
  });

  it("rests arrival coverage on the transit beacons of its routes, in their route's district", () => {
    const c = new TestCity({
      routes: [{ id: 'R1', district: 'centre' }, { id: 'R2' }],
      devices: [
        { id: 'bus-1', kind: 'transit-beacon', assetId: 'R1', expectedIntervalS: 30 },
        { id: 'bus-2', kind: 'transit-beacon', assetId: 'R2', expectedIntervalS: 30 },
        { id: 'bus-x', kind: 'transit-beacon', district: 'centre', expectedIntervalS: 30 },
        { id: 'bus-3', kind: 'transit-beacon', assetId: 'R2', district: 'north', expectedIntervalS: 30 },
      ],
    });
    c.heartbeat(0, 'transit-beacon', 'bus-1');
    expect(c.record(10, 'L1.2.2').quality).toMatchObject({ expected: 3, heard: 1, flag: 'degraded' });
    expect(c.record(10, 'L1.2.2', 'centre').quality).toMatchObject({ expected: 1, heard: 1 });
    // bus-x, on no route, is behind no route's value; bus-3's route has no district: the city's value only.
    expect(c.record(10, 'L1.2.2', 'north').quality).toMatchObject({ expected: 0, flag: 'unknown' });
    // Its own availability counts it in its own district.
    expect(c.record(10, 'availability.transit-beacon', 'north').quality).toMatchObject({ expected: 1 });
  });
});
