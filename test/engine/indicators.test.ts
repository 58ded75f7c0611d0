// docs/contract.md §4, formula by formula, on a city small enough to work out by hand.
import { describe, expect, it } from 'vitest';
import { TestCity } from '../support/city.js';

const handCity = (sharing = true) =>
  new TestCity({
    city: { cctvSharingAgreement: sharing },
    areas: [
      { id: 'plaza', class: 'key-public', district: 'centre' },
      { id: 'station', class: 'key-public', district: 'centre' },
      { id: 'park', class: 'key-public', district: 'north' },
      { id: 'mall', class: 'key-public', district: 'north' }, // no camera
      { id: 'plant', class: 'key-industry', district: 'north' },
      { id: 'depot', class: 'key-industry', district: 'north' }, // no camera
    ],
    pipes: [
      { id: 'p1', lengthM: 100.5, district: 'centre' },
      { id: 'p2', lengthM: 300, district: 'centre' },
      { id: 'p3', lengthM: 599.5, district: 'north' },
    ],
    routes: [{ id: 'R1', district: 'centre' }, { id: 'R2', district: 'north' }, { id: 'R3' }, { id: 'R4' }],
    sites: [
      { id: 'smelter', class: 'pollution', district: 'north' },
      { id: 'kiln', class: 'pollution', district: 'north' },
      { id: 'school', class: 'energy', district: 'centre' },
    ],
    devices: [
      { id: 'cam-1', kind: 'cctv', assetId: 'plaza', hd: true },
      { id: 'cam-2', kind: 'cctv', assetId: 'plaza', hd: true },
      { id: 'cam-3', kind: 'cctv', assetId: 'station' },
      { id: 'cam-4', kind: 'cctv', assetId: 'park', hd: true },
      { id: 'cam-5', kind: 'cctv', assetId: 'plant' },
      { id: 'pm-1', kind: 'pipe-monitor', assetId: 'p1' },
      { id: 'pm-2', kind: 'pipe-monitor', assetId: 'p1' },
      { id: 'pm-3', kind: 'pipe-monitor', assetId: 'p3' },
      { id: 'sen-1', kind: 'sensor', assetId: 'smelter' },
      { id: 'sen-2', kind: 'sensor', assetId: 'school' },
      { id: 'bus-1', kind: 'transit-beacon', district: 'centre' },
    ],
  });

const arrival = (routeId: string) => ({
  ts: 1,
  routeId,
  stopId: '4785',
  vehicleId: 'v1',
  predictedArrival: '2026-01-05T08:05:00Z',
});

describe('indicators', () => {
  it('L2.1.1: monitored pipe length over all pipe length, a segment counted once however many monitors', () => {
    const c = handCity();
    c.heartbeat(0, 'pipe-monitor', 'pm-1');
    c.heartbeat(0, 'pipe-monitor', 'pm-2');
    expect(c.record(0, 'L2.1.1')).toMatchObject({ numerator: 100.5, denominator: 1000, value: 10.05 });
    expect(c.record(0, 'L2.1.1', 'centre')).toMatchObject({ numerator: 100.5, denominator: 400.5 });
    expect(c.value(0, 'L2.1.1', 'centre')).toBeCloseTo((100.5 / 400.5) * 100, 9);
    c.send(1, 'city/pipe-monitor/pm-1/status', { state: 'offline' });
    expect(c.record(1, 'L2.1.1').numerator).toBe(100.5); // pm-2 still covers p1
    c.heartbeat(2, 'pipe-monitor', 'pm-3');
    c.send(3, 'city/pipe-monitor/pm-2/status', { state: 'offline' });
    expect(c.record(3, 'L2.1.1')).toMatchObject({ numerator: 599.5, value: 59.95 });
  });

  it('L1.2.2: routes with an arrival forecast in the last 300 s, exactly 300 s still counting', () => {
    const c = handCity();
    c.send(0, 'city/transit-beacon/bus-1/arrival', arrival('R1'));
    c.send(100, 'city/transit-beacon/bus-1/arrival', arrival('R3'));
    expect(c.record(100, 'L1.2.2')).toMatchObject({ numerator: 2, denominator: 4, value: 50 });
    expect(c.record(100, 'L1.2.2', 'centre')).toMatchObject({ numerator: 1, denominator: 1, value: 100 });
    expect(c.record(100, 'L1.2.2', 'north')).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
    expect(c.value(300, 'L1.2.2')).toBe(50);
    expect(c.value(301, 'L1.2.2')).toBe(25);
    expect(c.value(401, 'L1.2.2')).toBe(0);
  });

  it('L2.2.1.b1 and b3: areas with at least one registered camera, online or not', () => {
    const c = handCity();
    expect(c.record(0, 'L2.2.1.b1')).toMatchObject({ numerator: 3, denominator: 4, value: 75 });
    expect(c.record(0, 'L2.2.1.b1', 'north')).toMatchObject({ numerator: 1, denominator: 2, value: 50 });
    expect(c.record(0, 'L2.2.1.b3')).toMatchObject({ numerator: 1, denominator: 2, value: 50 });
  });

  it('L2.2.1.b2: HD cameras over cameras in key public areas', () => {
    const c = handCity();
    expect(c.record(0, 'L2.2.1.b2')).toMatchObject({ numerator: 3, denominator: 4, value: 75 });
    expect(c.record(0, 'L2.2.1.b2', 'centre')).toMatchObject({ numerator: 2, denominator: 3 });
  });

  it('L2.2.1.b4, b5 and the weighted L2.2.1', () => {
    const c = handCity();
    c.status(0, 'cctv', 'cam-1');
    c.status(0, 'cctv', 'cam-3');
    c.status(0, 'cctv', 'cam-5');
    // b1 75, b2 75, b3 50, b4 2/4 = 50, b5 1/1 = 100
    expect(c.value(0, 'L2.2.1.b4')).toBe(50);
    expect(c.value(0, 'L2.2.1.b5')).toBe(100);
    expect(c.value(0, 'L2.2.1')).toBeCloseTo(0.25 * 75 + 0.2 * 75 + 0.15 * 50 + 0.25 * 50 + 0.15 * 100, 9);
  });

  it('L2.2.1 is null for a district where a part has an empty denominator', () => {
    const c = handCity();
    // centre has no key-industry area: b3 and b5 are null there
    expect(c.value(0, 'L2.2.1.b3', 'centre')).toBeNull();
    expect(c.value(0, 'L2.2.1', 'centre')).toBeNull();
    expect(c.record(0, 'L2.2.1', 'centre')).toMatchObject({ numerator: null, denominator: null });
  });

  it('L2.2.2: 0.3·b1 + 0.2·b2 + 0.5·(100 if the city has a sharing agreement)', () => {
    const c = handCity(true);
    c.status(0, 'cctv', 'cam-1', { shared: true });
    c.status(0, 'cctv', 'cam-5', { shared: true });
    expect(c.value(0, 'L2.2.2.b1')).toBe(25);
    expect(c.value(0, 'L2.2.2.b2')).toBe(100);
    expect(c.value(0, 'L2.2.2')).toBeCloseTo(0.3 * 25 + 0.2 * 100 + 50, 9);
    const without = handCity(false);
    without.status(0, 'cctv', 'cam-1', { shared: true });
    without.status(0, 'cctv', 'cam-5', { shared: true });
    expect(without.value(0, 'L2.2.2')).toBeCloseTo(0.3 * 25 + 0.2 * 100, 9);
  });

  it('L3.1.1 and L3.2.2: sites with at least one online sensor', () => {
    const c = handCity();
    c.heartbeat(0, 'sensor', 'sen-1');
    expect(c.record(0, 'L3.1.1')).toMatchObject({ numerator: 1, denominator: 2, value: 50 });
    expect(c.record(0, 'L3.2.2')).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
    c.heartbeat(1, 'sensor', 'sen-2');
    expect(c.value(1, 'L3.2.2')).toBe(100);
  });

  it('gives null for every indicator whose denominator is empty', () => {
    const c = new TestCity({ devices: [{ id: 'sen-1', kind: 'sensor', district: 'east' }] });
    const snap = c.engine.snapshot(0);
    for (const id of ['L2.1.1', 'L1.2.2', 'L2.2.1.b1', 'L2.2.1', 'L3.1.1', 'availability.cctv']) {
      expect(snap.indicators.find((i) => i.id === id && i.scope === 'city')!.value).toBeNull();
    }
    expect(snap.indicators.find((i) => i.id === 'availability.sensor' && i.scope === 'east')!.value).toBe(0);
    expect(snap.indicators.map((i) => i.scope).filter((s, i, a) => a.indexOf(s) === i)).toEqual([
      'city',
      'east',
    ]);
  });

  it('evaluates user-defined indicators in the same form', () => {
    const c = new TestCity(
      {
        areas: [{ id: 'plaza', class: 'key-public', district: 'centre' }],
        devices: [
          { id: 'cam-1', kind: 'cctv', assetId: 'plaza', hd: true },
          { id: 'cam-2', kind: 'cctv', assetId: 'plaza' },
        ],
      },
      [
        {
          id: 'hd-online',
          name: 'HD cameras online',
          unit: '%',
          kind: 'device-share',
          devices: { kind: 'cctv', hd: true },
          numerator: { condition: 'online' },
        },
        {
          id: 'public-cctv-score',
          name: 'Half coverage, half HD online',
          unit: '%',
          kind: 'weighted',
          parts: [
            { indicator: 'L2.2.1.b1', weight: 0.5 },
            { indicator: 'hd-online', weight: 0.5 },
          ],
        },
      ],
    );
    c.heartbeat(0, 'cctv', 'cam-2');
    expect(c.record(0, 'hd-online')).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
    c.heartbeat(1, 'cctv', 'cam-1');
    expect(c.value(1, 'hd-online')).toBe(100);
    expect(c.value(1, 'public-cctv-score')).toBe(100);
  });
});
