// Issue 14 item 2: maintenance windows in the engine, on the engine's own (recorded) clock, to the millisecond.
import { describe, expect, it } from 'vitest';
import { rebuildEngine } from '../../engine/carry-over.js';
import { MAINTENANCE, ONLINE } from '../../engine/city-model.js';
import { deviceStatus } from '../../engine/device-status.js';
import { DownPublisher } from '../../engine/down-publisher.js';
import {
  MAINTENANCE_TOPIC,
  type MaintenanceDocument,
  MaintenancePublisher,
} from '../../engine/maintenance-publisher.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import type { MaintenanceWindow } from '../../registry/maintenance-windows.js';
import { at, TestCity } from '../support/city.js';

const city = () =>
  new TestCity({
    areas: [
      { id: 'plaza', class: 'key-public', district: 'centre' },
      { id: 'park', class: 'key-public', district: 'north' },
    ],
    pipes: [
      { id: 'p1', lengthM: 100, district: 'centre' },
      { id: 'p2', lengthM: 300, district: 'north' },
    ],
    devices: [
      { id: 'gw-1', kind: 'cctv-gateway', assetId: 'plaza', expectedIntervalS: 600 },
      { id: 'cam-1', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-1', expectedIntervalS: 600 },
      { id: 'cam-2', kind: 'cctv', assetId: 'plaza', expectedIntervalS: 600 },
      { id: 'cam-3', kind: 'cctv', assetId: 'park', expectedIntervalS: 600 },
      { id: 'pm-1', kind: 'pipe-monitor', assetId: 'p1' },
      { id: 'pm-2', kind: 'pipe-monitor', assetId: 'p2' },
    ],
  });

const window = (
  w: Partial<MaintenanceWindow> & Pick<MaintenanceWindow, 'start' | 'end'>,
): MaintenanceWindow => ({
  id: 'w1',
  reason: 'lens replacement',
  by: 'olga',
  devices: [],
  assets: [],
  districts: [],
  createdAt: 0,
  ...w,
});

/** Everything online at 0 (cameras for 30 minutes); cam-3 says offline at 30 s. */
function allUpThenCam3Down(c: TestCity) {
  c.heartbeat(0, 'cctv-gateway', 'gw-1');
  for (const id of ['cam-1', 'cam-2', 'cam-3']) c.status(0, 'cctv', id, { video: 'ok', shared: false });
  c.heartbeat(0, 'pipe-monitor', 'pm-1');
  c.heartbeat(0, 'pipe-monitor', 'pm-2');
  c.status(30, 'cctv', 'cam-3', { state: 'offline', video: 'ok', shared: false });
}

const row = (c: TestCity, ms: number, id: string, scope = 'city') => {
  const found = c.engine.snapshot(ms).indicators.find((i) => i.id === id && i.scope === scope);
  if (!found) throw new Error(`no ${id}/${scope}`);
  return found;
};

describe('maintenance windows in the engine', () => {
  it('leaves a device out of availability exactly from start to end (t − 1 ms vs t)', () => {
    const c = city();
    c.engine.setMaintenance([window({ devices: ['cam-3'], start: at(60), end: at(120) })]);
    allUpThenCam3Down(c);
    const before = row(c, at(60) - 1, 'availability.cctv');
    expect(before).toMatchObject({ numerator: 2, denominator: 3, excluded: { maintenance: 0 } });
    expect(before.value).toBeCloseTo(66.666666667, 6);
    expect(row(c, at(60), 'availability.cctv')).toMatchObject({
      value: 100,
      numerator: 2,
      denominator: 2,
      excluded: { maintenance: 1 },
    });
    expect(row(c, at(60), 'availability.cctv', 'north')).toMatchObject({
      value: null,
      denominator: 0,
      excluded: { maintenance: 1 },
    });
    expect(row(c, at(120) - 1, 'availability.cctv')).toMatchObject({
      value: 100,
      excluded: { maintenance: 1 },
    });
    expect(row(c, at(120), 'availability.cctv')).toMatchObject({
      numerator: 2,
      denominator: 3,
      excluded: { maintenance: 0 },
    });
  });

  it('keeps the ISO definition and says how much of its gap is planned', () => {
    const c = city();
    c.engine.setMaintenance([window({ devices: ['cam-3'], start: at(60), end: at(120) })]);
    allUpThenCam3Down(c);
    // L2.2.1.b4: available cameras in key public areas, 2 of 3 throughout.
    expect(row(c, at(60) - 1, 'L2.2.1.b4')).toMatchObject({ numerator: 2, denominator: 3, plannedGap: 0 });
    const inside = row(c, at(60), 'L2.2.1.b4');
    expect(inside).toMatchObject({ numerator: 2, denominator: 3, plannedGap: 1 });
    expect(inside.excluded).toBeUndefined();
    expect(row(c, at(120), 'L2.2.1.b4')).toMatchObject({ numerator: 2, plannedGap: 0 });
  });

  it('a device online during its window is left out of numerator and denominator alike', () => {
    const c = city();
    c.engine.setMaintenance([window({ devices: ['cam-2'], start: at(40), end: at(50) })]);
    allUpThenCam3Down(c);
    expect(row(c, at(45), 'availability.cctv')).toMatchObject({
      numerator: 1,
      denominator: 2,
      value: 50,
      excluded: { maintenance: 1 },
    });
    // Online and in maintenance is no gap of an ISO share.
    expect(row(c, at(45), 'L2.2.1.b4')).toMatchObject({ numerator: 2, plannedGap: 0 });
  });

  it('covers by asset, by district and, through a gateway, its cameras', () => {
    const c = city();
    c.engine.setMaintenance([
      window({ id: 'gw', devices: ['gw-1'], start: at(40), end: at(50) }),
      window({ id: 'pipe', assets: ['p1'], start: at(40), end: at(50) }),
      window({ id: 'north', districts: ['north'], start: at(40), end: at(50) }),
    ]);
    allUpThenCam3Down(c);
    expect(row(c, at(40), 'availability.cctv-gateway')).toMatchObject({ excluded: { maintenance: 1 } });
    // cam-1 (behind gw-1) and cam-3 (north) are in; cam-2 is not.
    expect(row(c, at(40), 'availability.cctv')).toMatchObject({
      numerator: 1,
      denominator: 1,
      excluded: { maintenance: 2 },
    });
    expect(row(c, at(40), 'availability.pipe-monitor')).toMatchObject({
      numerator: 0,
      denominator: 0,
      excluded: { maintenance: 2 },
    });
  });

  it('an uncovered asset whose device is in maintenance is planned gap, in the ratio units (metres)', () => {
    const c = city();
    c.engine.setMaintenance([window({ assets: ['p2'], start: at(100), end: at(2000) })]);
    c.heartbeat(0, 'pipe-monitor', 'pm-1');
    c.heartbeat(0, 'pipe-monitor', 'pm-2');
    // pm-2 is offline past 3 × its interval; it is in maintenance from 100 s.
    const late = at(1000);
    expect(row(c, late, 'L2.1.1')).toMatchObject({ numerator: 0, denominator: 400, plannedGap: 300 });
    expect(row(c, at(2000), 'L2.1.1')).toMatchObject({ numerator: 0, denominator: 400, plannedGap: 0 });
  });

  it('lists a device down in maintenance with reason maintenance, not as a fault', () => {
    const c = city();
    c.engine.setMaintenance([window({ devices: ['cam-3'], start: at(60), end: at(120) })]);
    allUpThenCam3Down(c);
    const docs: string[] = [];
    const down = new DownPublisher(c.engine, (_t, p) => docs.push(p), { everyMs: 0 });
    down.onSnapshot(c.engine.snapshot(at(59)));
    down.onSnapshot(c.engine.snapshot(at(60)));
    const [outside, inside] = docs.map((d) => JSON.parse(d));
    expect(outside).toMatchObject({
      count: 1,
      maintenance: 0,
      devices: [{ id: 'cam-3', reason: 'offline' }],
    });
    expect(inside).toMatchObject({
      count: 1,
      maintenance: 1,
      devices: [{ id: 'cam-3', reason: 'maintenance' }],
    });
    expect(deviceStatus(c.engine, 'cam-3')?.reason).toBe('maintenance');
  });

  it('a window opening at the very millisecond a device falls silent takes it first: it is never down', () => {
    const c = city();
    allUpThenCam3Down(c);
    // cam-2 was heard at 0 with a 600 s interval: it stays online up to 1800 s, silent after.
    c.engine.setMaintenance([window({ devices: ['cam-2'], start: at(1800), end: at(3600) })]);
    const cam2 = c.engine.model.deviceIndex.get('cam-2')!;
    const down: number[] = [];
    c.engine.devices.onChange.push((d, _old, mask, t) => {
      if (d === cam2 && (mask & (ONLINE | MAINTENANCE)) === 0) down.push(t);
    });
    c.engine.advanceTo(at(1800) + 1);
    expect(c.engine.devices.mask[cam2] & MAINTENANCE).toBe(MAINTENANCE);
    expect(c.engine.devices.mask[cam2] & ONLINE).toBe(0);
    expect(down).toEqual([]);
    // And down, as any silent device, the moment its window ends.
    c.engine.advanceTo(at(3600) + 1);
    expect(down).toEqual([at(3600)]);
  });

  it('a window set while the clock is inside it applies at once, and a cancel gives the device back', () => {
    const c = city();
    allUpThenCam3Down(c);
    c.engine.snapshot(at(70));
    c.engine.setMaintenance([window({ devices: ['cam-3'], start: at(60), end: at(120) })]);
    expect(row(c, at(70), 'availability.cctv')).toMatchObject({ value: 100, excluded: { maintenance: 1 } });
    c.engine.setMaintenance([]);
    expect(row(c, at(70), 'availability.cctv')).toMatchObject({
      denominator: 3,
      excluded: { maintenance: 0 },
    });
  });

  it('back-to-back windows keep a device in without a gap at the hand-over', () => {
    const c = city();
    const changes: number[] = [];
    c.engine.setMaintenance([
      window({ id: 'a', devices: ['cam-3'], start: at(60), end: at(90) }),
      window({ id: 'b', devices: ['cam-3'], start: at(90), end: at(120) }),
    ]);
    allUpThenCam3Down(c);
    c.engine.indicators.onChange = (_k, _s, _v, t) => changes.push(t);
    expect(row(c, at(90), 'availability.cctv')).toMatchObject({ excluded: { maintenance: 1 } });
    expect(changes.filter((t) => t === at(90))).toEqual([]);
  });

  it('a registry rebuild keeps the windows and their later edges', () => {
    const c = city();
    c.engine.setMaintenance([window({ devices: ['cam-3'], start: at(60), end: at(120) })]);
    allUpThenCam3Down(c);
    c.engine.snapshot(at(70));
    const next = rebuildEngine(c.engine, c.engine.inventory, buildCatalogue(LIVE_CATALOGUE, []));
    const get = (ms: number) => next.snapshot(ms).indicators.find((i) => i.id === 'availability.cctv')!;
    expect(get(at(70))).toMatchObject({ excluded: { maintenance: 1 } });
    expect(get(at(120))).toMatchObject({ excluded: { maintenance: 0 }, denominator: 3 });
  });
});

describe('city/maintenance', () => {
  it('is built and sent when a window opens, closes or changes, not at every tick', () => {
    const c = city();
    allUpThenCam3Down(c);
    const sent: { topic: string; doc: MaintenanceDocument }[] = [];
    const publisher = new MaintenancePublisher((topic, payload) =>
      sent.push({ topic, doc: JSON.parse(payload) }),
    );
    // Counts the documents built: a district window's devices are counted at each build.
    let built = 0;
    const devicesOf = c.engine.maintenance.devicesOf.bind(c.engine.maintenance);
    c.engine.maintenance.devicesOf = (w) => {
      built++;
      return devicesOf(w);
    };
    c.engine.setMaintenance([window({ districts: ['north'], start: at(60), end: at(120) })]);
    for (let s = 31; s <= 200; s++) publisher.onSnapshot(c.engine, c.engine.snapshot(at(s)).at);
    expect(sent.map((m) => [m.doc.windows.length, m.doc.devicesInMaintenance, m.doc.ts])).toEqual([
      [0, 0, new Date(at(31)).toISOString()],
      [1, 2, new Date(at(60)).toISOString()],
      [0, 0, new Date(at(120)).toISOString()],
    ]);
    expect(sent.every((m) => m.topic === MAINTENANCE_TOPIC)).toBe(true);
    // Once when the windows were set, once for the document as it opened: not at each of the 60 ticks it was open.
    expect(built).toBe(2);
  });
});
