import { describe, expect, it } from 'vitest';
import { rebuildEngine } from '../../engine/carry-over.js';
import { deviceStatus } from '../../engine/device-status.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { at, makeInventory, TestCity } from '../support/city.js';

describe('rebuilding the engine on a registry change', () => {
  it('keeps liveness, route freshness and the means, and counts the new device at once', () => {
    const spec = {
      city: { windows: ['1h'] },
      routes: [{ id: 'R1' }],
      devices: [
        { id: 'sen-1', kind: 'sensor' as const, district: 'east' },
        { id: 'bus-1', kind: 'transit-beacon' as const, district: 'east' },
      ],
    };
    const c = new TestCity(spec);
    c.heartbeat(0, 'sensor', 'sen-1');
    c.send(0, 'city/transit-beacon/bus-1/arrival', {
      ts: 1,
      routeId: 'R1',
      stopId: 's',
      vehicleId: 'v',
      predictedArrival: 2,
    });
    c.engine.advanceTo(at(60));
    const bigger = makeInventory({
      ...spec,
      devices: [...spec.devices, { id: 'sen-2', kind: 'sensor', district: 'west' }],
    });
    const next = rebuildEngine(c.engine, bigger, buildCatalogue(LIVE_CATALOGUE));
    const pick = (id: string, scope = 'city', t = 120) =>
      next.snapshot(at(t)).indicators.find((i) => i.id === id && i.scope === scope)!;
    // sen-1 still online (heard at 0, interval 60: online to 180 s); sen-2 registered, not yet heard
    expect(pick('availability.sensor')).toMatchObject({ value: 50, numerator: 1, denominator: 2 });
    expect(pick('availability.sensor', 'west').value).toBe(0);
    expect(pick('L1.2.2').value).toBe(100);
    // 100 % for the first 60 s (one sensor), then 50 % for 60 s (two sensors, one online)
    expect(pick('availability.sensor', 'city', 120).means['1h']).toBe(75);
    expect(
      next.snapshot(at(181)).indicators.find((i) => i.id === 'availability.sensor' && i.scope === 'city')!
        .value,
    ).toBe(0);
  });

  it('keeps when each device entered its condition, for the gaps and the device lookup', () => {
    const spec = {
      devices: [
        { id: 'sen-1', kind: 'sensor' as const, district: 'east' },
        { id: 'sen-2', kind: 'sensor' as const, district: 'east' },
      ],
    };
    const c = new TestCity(spec);
    c.heartbeat(10, 'sensor', 'sen-1');
    c.engine.advanceTo(at(60));
    const bigger = makeInventory({
      devices: [...spec.devices, { id: 'sen-3', kind: 'sensor', district: 'west' }],
    });
    const next = rebuildEngine(c.engine, bigger, buildCatalogue(LIVE_CATALOGUE));
    // sen-1 came online at 10 s, before the rebuild at 60 s; sen-2 and sen-3 have never been heard.
    expect(deviceStatus(next, 'sen-1')).toMatchObject({
      online: true,
      since: new Date(at(10)).toISOString(),
    });
    expect(deviceStatus(next, 'sen-2')).toMatchObject({ online: false, since: null });
    expect(deviceStatus(next, 'sen-3')).toMatchObject({ online: false, since: null });
  });
});
