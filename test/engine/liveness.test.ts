// docs/contract.md §3, rule by rule.
import { describe, expect, it } from 'vitest';
import { TestCity } from '../support/city.js';

const oneSensorCity = () =>
  new TestCity({
    sites: [{ id: 's1', class: 'pollution', district: 'north' }],
    devices: [{ id: 'sen-1', kind: 'sensor', assetId: 's1', expectedIntervalS: 60 }],
  });

describe('liveness', () => {
  it('is offline before any message', () => {
    const c = oneSensorCity();
    expect(c.value(0, 'availability.sensor')).toBe(0);
  });

  it('is still online exactly 3 × expected interval after the last message, offline 1 ms later', () => {
    const c = oneSensorCity();
    c.heartbeat(0, 'sensor', 'sen-1');
    expect(c.value(180, 'availability.sensor')).toBe(100);
    expect(
      c.engine.snapshot(c.engine.now + 1).indicators.find((i) => i.id === 'availability.sensor')!.value,
    ).toBe(0);
  });

  it('is refreshed by any accepted message', () => {
    const c = oneSensorCity();
    c.heartbeat(0, 'sensor', 'sen-1');
    c.send(170, 'city/sensor/sen-1/telemetry', { ts: 1, metrics: { pm25: 12 } });
    expect(c.value(350, 'availability.sensor')).toBe(100);
    expect(c.value(351, 'availability.sensor')).toBe(0);
  });

  it('goes offline at once on an offline status, and a later message of any kind brings it back', () => {
    const c = oneSensorCity();
    c.status(0, 'sensor', 'sen-1');
    c.send(10, 'city/sensor/sen-1/status', { state: 'offline' }); // the Last Will: no ts
    expect(c.value(10, 'availability.sensor')).toBe(0);
    c.heartbeat(20, 'sensor', 'sen-1');
    expect(c.value(20, 'availability.sensor')).toBe(100);
  });

  it('counts a device under its asset district, else its own', () => {
    const c = new TestCity({
      sites: [{ id: 's1', class: 'energy', district: 'north' }],
      devices: [
        { id: 'sen-1', kind: 'sensor', assetId: 's1', district: 'south' },
        { id: 'sen-2', kind: 'sensor', district: 'south' },
      ],
    });
    c.heartbeat(0, 'sensor', 'sen-1');
    expect(c.record(0, 'availability.sensor', 'north')).toMatchObject({
      value: 100,
      numerator: 1,
      denominator: 1,
    });
    expect(c.record(0, 'availability.sensor', 'south')).toMatchObject({
      value: 0,
      numerator: 0,
      denominator: 1,
    });
    expect(c.record(0, 'availability.sensor', 'city')).toMatchObject({
      value: 50,
      numerator: 1,
      denominator: 2,
    });
  });
});

describe('cameras', () => {
  const cameraCity = () =>
    new TestCity({
      city: { cctvSharingAgreement: true },
      areas: [{ id: 'plaza', class: 'key-public', district: 'centre' }],
      devices: [
        { id: 'gw-1', kind: 'cctv-gateway', expectedIntervalS: 30 },
        { id: 'cam-1', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-1', hd: true },
        { id: 'cam-2', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-1' },
        { id: 'cam-3', kind: 'cctv', assetId: 'plaza' },
      ],
    });

  it('counts a camera as offline while its gateway is offline, and back when the gateway returns', () => {
    const c = cameraCity();
    c.status(0, 'cctv-gateway', 'gw-1');
    for (const cam of ['cam-1', 'cam-2', 'cam-3']) c.status(0, 'cctv', cam);
    expect(c.value(0, 'availability.cctv')).toBe(100);
    c.send(5, 'city/cctv-gateway/gw-1/status', { state: 'offline' });
    expect(c.record(5, 'availability.cctv')).toMatchObject({ numerator: 1, denominator: 3 });
    expect(c.record(5, 'L2.2.1.b4')).toMatchObject({ numerator: 1, denominator: 3 });
    c.heartbeat(6, 'cctv-gateway', 'gw-1');
    expect(c.record(6, 'availability.cctv').numerator).toBe(3);
  });

  it('counts a camera behind a silent gateway as offline once the gateway goes stale', () => {
    const c = cameraCity();
    c.status(0, 'cctv-gateway', 'gw-1');
    c.status(0, 'cctv', 'cam-1');
    c.heartbeat(80, 'cctv', 'cam-1');
    expect(c.record(90, 'availability.cctv').numerator).toBe(1); // gateway: 90 s = 3 × 30, still online
    expect(c.record(91, 'availability.cctv').numerator).toBe(0);
  });

  it('counts a camera with lost video as online but not available, and degraded video as available', () => {
    const c = cameraCity();
    c.status(0, 'cctv', 'cam-3', { video: 'lost' });
    expect(c.record(0, 'availability.cctv').numerator).toBe(1);
    expect(c.record(0, 'L2.2.1.b4').numerator).toBe(0);
    c.status(1, 'cctv', 'cam-3', { video: 'degraded' });
    expect(c.record(1, 'L2.2.1.b4').numerator).toBe(1);
  });

  it('keeps the last status video and shared flags across heartbeats; defaults are ok and not shared', () => {
    const c = cameraCity();
    c.status(0, 'cctv', 'cam-3', { shared: true, video: 'lost' });
    c.heartbeat(10, 'cctv', 'cam-3');
    expect(c.record(10, 'L2.2.1.b4').numerator).toBe(0);
    c.status(20, 'cctv', 'cam-3'); // video defaults to ok, shared to false
    expect(c.record(20, 'L2.2.1.b4').numerator).toBe(1);
    expect(c.record(20, 'L2.2.2.b1').numerator).toBe(0);
  });

  it('counts a camera as shared only while it is available and its last status says shared', () => {
    const c = cameraCity();
    c.status(0, 'cctv', 'cam-3', { shared: true });
    expect(c.record(0, 'L2.2.2.b1')).toMatchObject({ numerator: 1, denominator: 3 });
    c.status(1, 'cctv', 'cam-3', { shared: true, video: 'lost' });
    expect(c.record(1, 'L2.2.2.b1').numerator).toBe(0);
    c.status(2, 'cctv', 'cam-3', { shared: true });
    c.send(3, 'city/cctv/cam-3/status', { state: 'offline' });
    expect(c.record(3, 'L2.2.2.b1').numerator).toBe(0);
  });
});
