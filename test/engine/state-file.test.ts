// Liveness across a restart (docs/contract.md §3): the restored engine stands where one that never stopped would.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CityEngine, type Snapshot } from '../../engine/city-engine.js';
import { ONLINE } from '../../engine/city-model.js';
import { deviceStatus } from '../../engine/device-status.js';
import { Decoded } from '../../engine/inbound.js';
import {
  type RestoreResult,
  restoreEngineState,
  STATE_FILE_NAME,
  saveEngineState,
} from '../../engine/state-file.js';
import { EngineStatePersistence } from '../../engine/state-persistence.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { at, type CitySpec, makeInventory, TestCity } from '../support/city.js';
import { tempDir } from '../support/tmp.js';

const catalogue = buildCatalogue(LIVE_CATALOGUE);
const statePath = () => join(tempDir('citygauge-state-'), STATE_FILE_NAME);

/** Save `before` at `savedS`, then build a fresh engine on `spec` and restore it at `restartS`. */
function restart(before: TestCity, spec: CitySpec, savedS: number, restartS: number) {
  const path = statePath();
  saveEngineState(before.engine, path, at(savedS));
  const after = new CityEngine(makeInventory(spec), catalogue);
  const result = restoreEngineState(after, path, at(restartS));
  return { engine: after, result, path };
}

const pick = (snap: Snapshot, id: string, scope = 'city') =>
  snap.indicators.find((i) => i.id === id && i.scope === scope)!;
const value = (e: CityEngine, seconds: number, id: string, scope = 'city') =>
  pick(e.snapshot(at(seconds)), id, scope).value;
const iso = (seconds: number) => new Date(at(seconds)).toISOString();

const sensorSpec: CitySpec = {
  sites: [{ id: 's1', class: 'pollution', district: 'north' }],
  devices: [{ id: 'sen-1', kind: 'sensor', assetId: 's1', expectedIntervalS: 30 }],
};

describe('restoring device liveness', () => {
  it('keeps a device heard 10 s before the save online after a 20 s restart, and lapses it at lastSeen + 90 s', () => {
    const c = new TestCity(sensorSpec);
    c.heartbeat(0, 'sensor', 'sen-1');
    const { engine, result } = restart(c, sensorSpec, 10, 30);
    expect(result).toEqual({
      ok: true,
      found: true,
      restored: 1,
      unknown: 0,
      stale: 0,
      routes: 0,
      savedAt: at(10),
    });
    expect(value(engine, 30, 'L3.1.1')).toBe(100);
    expect(deviceStatus(engine, 'sen-1')).toMatchObject({
      online: true,
      since: iso(0),
      lastSeen: iso(0),
      staleAt: iso(90),
    });
    expect(value(engine, 90, 'availability.sensor')).toBe(100); // exactly 3 × 30 s: still online
    expect(pick(engine.snapshot(at(90) + 1), 'availability.sensor').value).toBe(0);
    expect(deviceStatus(engine, 'sen-1')).toMatchObject({ online: false, since: iso(90) });
  });

  it('counts a device whose deadline passed while down as offline since the deadline, not the restart', () => {
    const c = new TestCity(sensorSpec);
    c.heartbeat(0, 'sensor', 'sen-1');
    const path = statePath();
    saveEngineState(c.engine, path, at(10));
    const engine = new CityEngine(makeInventory(sensorSpec), catalogue);
    const heard: [number, number][] = [];
    engine.devices.onChange.push((_d, _old, mask, t) => heard.push([mask & ONLINE, t]));
    const result = restoreEngineState(engine, path, at(200));
    expect(result).toMatchObject({ ok: true, restored: 1, stale: 1 });
    // a hook attached before the restore hears the downtime's lapse at its time, not the saved state
    expect(heard).toEqual([[0, at(90)]]);
    expect(value(engine, 200, 'availability.sensor')).toBe(0);
    expect(deviceStatus(engine, 'sen-1')).toMatchObject({ online: false, reason: 'offline', since: iso(90) });
    // any message brings it back, as in a running engine
    engine.ingest({ receivedAt: at(210), topic: 'city/sensor/sen-1/heartbeat', payload: '{"ts":1}' });
    expect(value(engine, 210, 'availability.sensor')).toBe(100);
  });

  it('keeps an offline status (the Last Will) offline, since the status, until the device speaks', () => {
    const c = new TestCity(sensorSpec);
    c.status(0, 'sensor', 'sen-1');
    c.send(5, 'city/sensor/sen-1/status', { state: 'offline' });
    const { engine, result } = restart(c, sensorSpec, 10, 20);
    // its last message is 15 s old: not stale, yet offline because it said so
    expect(result).toMatchObject({ restored: 1, stale: 0 });
    expect(value(engine, 20, 'availability.sensor')).toBe(0);
    expect(deviceStatus(engine, 'sen-1')).toMatchObject({ online: false, since: iso(5) });
    engine.ingest({ receivedAt: at(25), topic: 'city/sensor/sen-1/heartbeat', payload: '{"ts":1}' });
    expect(value(engine, 25, 'availability.sensor')).toBe(100);
  });

  const cameraSpec: CitySpec = {
    city: { cctvSharingAgreement: true },
    areas: [{ id: 'plaza', class: 'key-public', district: 'centre' }],
    devices: [
      { id: 'gw-1', kind: 'cctv-gateway', expectedIntervalS: 30 },
      { id: 'cam-1', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-1' },
      { id: 'cam-2', kind: 'cctv', assetId: 'plaza' },
      { id: 'cam-3', kind: 'cctv', assetId: 'plaza' },
    ],
  };

  it('takes a camera down with its gateway at the gateway deadline, and keeps video and shared', () => {
    const c = new TestCity(cameraSpec);
    c.status(0, 'cctv-gateway', 'gw-1');
    c.status(50, 'cctv', 'cam-1');
    c.status(50, 'cctv', 'cam-2', { video: 'lost' });
    c.status(50, 'cctv', 'cam-3', { shared: true });
    expect(c.record(60, 'availability.cctv').numerator).toBe(3);
    // down from 60 to 100: the gateway's deadline (90) passes; the cameras' own (140) do not
    const { engine, result } = restart(c, cameraSpec, 60, 100);
    expect(result).toMatchObject({ restored: 4, stale: 1 });
    const snap = engine.snapshot(at(100));
    expect(pick(snap, 'availability.cctv').numerator).toBe(2); // cam-2 (video lost is still online), cam-3
    expect(pick(snap, 'L2.2.1.b4').numerator).toBe(1); // cam-3 only: cam-2's video is lost
    expect(pick(snap, 'L2.2.2.b1').numerator).toBe(1); // cam-3 shared
    expect(deviceStatus(engine, 'gw-1')).toMatchObject({ online: false, since: iso(90) });
    expect(deviceStatus(engine, 'cam-1')).toMatchObject({
      online: false,
      reason: 'behind-offline-gateway',
      since: iso(90),
    });
    expect(deviceStatus(engine, 'cam-2')).toMatchObject({
      online: true,
      reason: 'video-lost',
      since: iso(50),
    });
    // the gateway returns: its camera with it
    engine.ingest({ receivedAt: at(110), topic: 'city/cctv-gateway/gw-1/heartbeat', payload: '{"ts":1}' });
    expect(pick(engine.snapshot(at(110)), 'availability.cctv').numerator).toBe(3);
    expect(pick(engine.snapshot(at(141)), 'availability.cctv').numerator).toBe(0);
  });

  it('counts ids no longer registered and takes over the rest', () => {
    const spec: CitySpec = {
      devices: [
        { id: 'sen-1', kind: 'sensor', district: 'east' },
        { id: 'sen-2', kind: 'sensor', district: 'east' },
      ],
    };
    const c = new TestCity(spec);
    c.heartbeat(0, 'sensor', 'sen-1');
    c.heartbeat(0, 'sensor', 'sen-2');
    const smaller: CitySpec = {
      devices: [
        { id: 'sen-1', kind: 'sensor', district: 'east' },
        { id: 'sen-3', kind: 'sensor', district: 'east' },
      ],
    };
    const { engine, result } = restart(c, smaller, 10, 20);
    expect(result).toMatchObject({ ok: true, restored: 1, unknown: 1, stale: 0 });
    expect(pick(engine.snapshot(at(20)), 'availability.sensor')).toMatchObject({
      value: 50,
      numerator: 1,
      denominator: 2,
    });
  });
});

describe('restoring route freshness', () => {
  it('keeps a route fresh until 300 s after its last arrival, and lets one lapse while down', () => {
    const spec: CitySpec = {
      routes: [{ id: 'R1' }, { id: 'R2' }],
      devices: [{ id: 'bus-1', kind: 'transit-beacon', district: 'east' }],
    };
    const arrival = (routeId: string) => ({
      ts: 1,
      routeId,
      stopId: 's',
      vehicleId: 'v',
      predictedArrival: 2,
    });
    const c = new TestCity(spec);
    c.send(0, 'city/transit-beacon/bus-1/arrival', arrival('R1')); // fresh until 300
    c.send(150, 'city/transit-beacon/bus-1/arrival', arrival('R2')); // fresh until 450
    const { engine, result } = restart(c, spec, 160, 350);
    expect(result).toMatchObject({ restored: 1, routes: 2, stale: 1 }); // bus-1: 150 + 90 < 350
    expect(value(engine, 350, 'L1.2.2')).toBe(50);
    expect(value(engine, 450, 'L1.2.2')).toBe(50);
    expect(pick(engine.snapshot(at(450) + 1), 'L1.2.2').value).toBe(0);
  });
});

describe('the means across the downtime', () => {
  it('start at the restart: the downtime is not counted as a value', () => {
    const c = new TestCity({ ...sensorSpec, city: { windows: ['1h'] } });
    c.heartbeat(0, 'sensor', 'sen-1');
    const { engine } = restart(c, { ...sensorSpec, city: { windows: ['1h'] } }, 10, 60);
    // online 60 → 90 (30 s at 100), offline 90 → 120 (30 s at 0); nothing before 60
    expect(pick(engine.snapshot(at(120)), 'availability.sensor').means['1h']).toBe(50);
    expect(engine.origin).toBe(at(60));
  });
});

describe('an engine that never stopped', () => {
  const spec: CitySpec = {
    city: { cctvSharingAgreement: true },
    areas: [
      { id: 'plaza', class: 'key-public', district: 'centre' },
      { id: 'port', class: 'key-industry', district: 'harbour' },
    ],
    pipes: [
      { id: 'p1', lengthM: 120, district: 'centre' },
      { id: 'p2', lengthM: 80, district: 'harbour' },
    ],
    routes: [{ id: 'R1' }, { id: 'R2' }],
    sites: [
      { id: 's1', class: 'pollution', district: 'harbour' },
      { id: 's2', class: 'energy', district: 'centre' },
    ],
    devices: [
      { id: 'gw-1', kind: 'cctv-gateway', expectedIntervalS: 30 },
      { id: 'cam-1', kind: 'cctv', assetId: 'plaza', gatewayId: 'gw-1', hd: true },
      { id: 'cam-2', kind: 'cctv', assetId: 'port', gatewayId: 'gw-1' },
      { id: 'cam-3', kind: 'cctv', assetId: 'plaza' },
      { id: 'pm-1', kind: 'pipe-monitor', assetId: 'p1' },
      { id: 'pm-2', kind: 'pipe-monitor', assetId: 'p2', expectedIntervalS: 120 },
      { id: 'bus-1', kind: 'transit-beacon', district: 'centre' },
      { id: 'sen-1', kind: 'sensor', assetId: 's1' },
      { id: 'sen-2', kind: 'sensor', assetId: 's2', expectedIntervalS: 20 },
    ],
  };
  const arrival = (routeId: string) => ({ ts: 1, routeId, stopId: 's', vehicleId: 'v', predictedArrival: 2 });
  const untilSave = (c: TestCity) => {
    c.status(0, 'cctv-gateway', 'gw-1');
    c.status(0, 'cctv', 'cam-1', { shared: true });
    c.status(5, 'cctv', 'cam-2', { video: 'degraded', shared: true });
    c.status(8, 'cctv', 'cam-3', { video: 'lost' });
    c.heartbeat(10, 'pipe-monitor', 'pm-1');
    c.heartbeat(20, 'pipe-monitor', 'pm-2');
    c.send(30, 'city/transit-beacon/bus-1/arrival', arrival('R1'));
    c.status(40, 'sensor', 'sen-1');
    c.heartbeat(50, 'sensor', 'sen-2');
    c.send(55, 'city/sensor/sen-1/status', { state: 'offline' });
    c.heartbeat(60, 'cctv', 'cam-1');
  };
  const afterRestart = (send: (s: number, topic: string, payload: unknown) => unknown) => {
    send(400, 'city/cctv-gateway/gw-1/heartbeat', { ts: 1 });
    send(410, 'city/transit-beacon/bus-1/arrival', arrival('R2'));
    send(420, 'city/sensor/sen-1/heartbeat', { ts: 1 });
  };

  it('has the same values, conditions and "since" times after a restore', () => {
    const values = (e: CityEngine, s: number) =>
      e.snapshot(at(s)).indicators.map(({ id, scope, value, numerator, denominator }) => ({
        id,
        scope,
        value,
        numerator,
        denominator,
      }));
    const running = new TestCity(spec);
    untilSave(running);
    const stopped = new TestCity(spec);
    untilSave(stopped);
    // saved at 70, down until 300: the gateway (90) and with it cam-1 and cam-2, cam-3 (98), pm-1 (190),
    // sen-2 (110) lapse meanwhile; pm-2 (interval 120: 380) and R1 (330) do not; sen-1 said offline
    const { engine } = restart(stopped, spec, 70, 300);
    expect(value(engine, 300, 'availability.pipe-monitor')).toBe(50);
    expect(value(engine, 300, 'L1.2.2')).toBe(50);
    expect(values(engine, 300)).toEqual(values(running.engine, 300));

    afterRestart((s, topic, payload) => running.send(s, topic, payload));
    afterRestart((s, topic, payload) =>
      engine.ingest({ receivedAt: at(s), topic, payload: new Decoded(payload, 100) }),
    );
    for (const s of [420, 450, 500, 700]) {
      expect(values(engine, s)).toEqual(values(running.engine, s));
      for (const field of [
        'mask',
        'alive',
        'saidOffline',
        'video',
        'shared',
        'changedAt',
        'lastSeen',
      ] as const) {
        expect(engine.devices[field], `${field} at ${s}`).toEqual(running.engine.devices[field]);
      }
    }
  });
});

describe('a state file that cannot be used', () => {
  const saved = () => {
    const c = new TestCity(sensorSpec);
    c.heartbeat(0, 'sensor', 'sen-1');
    const path = statePath();
    saveEngineState(c.engine, path, at(10));
    return path;
  };
  const restoreInto = (path: string, seconds = 20) => {
    const engine = new CityEngine(makeInventory(sensorSpec), catalogue);
    return { engine, result: restoreEngineState(engine, path, at(seconds)) };
  };
  const refused = (result: RestoreResult, reason: RegExp, path: string) => {
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(reason);
    expect(result.message).toBe(`ignoring ${path}: ${result.reason}; liveness starts fresh`);
  };

  it('restores nothing when there is none (a first start)', () => {
    const path = statePath();
    const { engine, result } = restoreInto(path);
    expect(result).toEqual({ ok: true, found: false, restored: 0, unknown: 0, stale: 0, routes: 0 });
    expect(engine.origin).toBeUndefined();
  });

  it('ignores a damaged file and leaves the engine as built', () => {
    const path = saved();
    const bytes = readFileSync(path);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(path, bytes);
    const { engine, result } = restoreInto(path);
    refused(result, /checksum mismatch/, path);
    expect(engine.origin).toBeUndefined();
    expect(value(engine, 20, 'availability.sensor')).toBe(0);
  });

  it('ignores a truncated file, a foreign file and an empty one', () => {
    const path = saved();
    writeFileSync(path, readFileSync(path).subarray(0, 40));
    refused(restoreInto(path).result, /checksum mismatch/, path);
    writeFileSync(path, '{"devices":[]}');
    refused(restoreInto(path).result, /not a citygauge engine state file/, path);
    writeFileSync(path, '');
    refused(restoreInto(path).result, /not a citygauge engine state file/, path);
  });

  it('ignores another format version', () => {
    const path = saved();
    const bytes = readFileSync(path);
    bytes.writeUInt32LE(2, 8);
    writeFileSync(path, bytes);
    refused(restoreInto(path).result, /^format version 2, this citygauge reads version 1$/, path);
  });

  it('ignores a file saved after the restart time (the clock went back)', () => {
    const path = saved();
    refused(restoreInto(path, 5).result, /the clock went back/, path);
  });

  it('does not restore into an engine that has already taken input', () => {
    const path = saved();
    const c = new TestCity(sensorSpec);
    c.heartbeat(15, 'sensor', 'sen-1');
    refused(restoreEngineState(c.engine, path, at(20)), /already taken input/, path);
  });
});

describe('EngineStatePersistence', () => {
  it('saves in the background and on stop, and restores what it saved', async () => {
    const c = new TestCity(sensorSpec);
    c.heartbeat(0, 'sensor', 'sen-1');
    const path = statePath();
    let clock = at(10);
    const saver = new EngineStatePersistence(path, () => c.engine, 60_000, { now: () => clock });
    saver.start();
    await saver.saveInBackground();
    expect(existsSync(path)).toBe(true);
    clock = at(20);
    expect(await saver.stop()).toMatchObject({ savedAt: at(20), devices: 1, routes: 0 });

    const next = new CityEngine(makeInventory(sensorSpec), catalogue);
    const loader = new EngineStatePersistence(path, () => next, 60_000, { now: () => at(30) });
    expect(loader.restore()).toMatchObject({ ok: true, savedAt: at(20), restored: 1 });
    expect(value(next, 30, 'availability.sensor')).toBe(100);
  });

  it('saves soon after a device changes condition, not a minute later, and not when nothing changed', async () => {
    const c = new TestCity(sensorSpec);
    const path = statePath();
    const saver = new EngineStatePersistence(path, () => c.engine, 60_000, {
      now: () => at(10),
      soonAfterChangeMs: 1,
    });
    saver.restore(at(0));
    await saver.saveIfChanged();
    expect(existsSync(path), 'nothing changed: no save').toBe(false);

    // What a restart would see, once the saver got round to it (saves are spaced by their own cost).
    const savedValue = async (want: number) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        await saver.saveIfChanged();
        const e = new CityEngine(makeInventory(sensorSpec), catalogue);
        if (existsSync(path)) restoreEngineState(e, path, at(10));
        const v = value(e, 10, 'availability.sensor');
        if (v === want || Date.now() > deadline) return v;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    c.heartbeat(5, 'sensor', 'sen-1'); // the sensor comes online
    expect(await savedValue(100)).toBe(100);
    c.status(8, 'sensor', 'sen-1', { state: 'offline' }); // and says it goes offline
    expect(await savedValue(0), 'the offline is in the file').toBe(0);
    await saver.stop();
  });

  it('removes the temp files of saves a killed process left behind', () => {
    const path = statePath();
    const stale = `${path}.999999.tmp`;
    writeFileSync(stale, 'half a save');
    const saver = new EngineStatePersistence(path, () => new TestCity(sensorSpec).engine);
    expect(saver.restore()).toMatchObject({ ok: true, found: false });
    expect(existsSync(stale)).toBe(false);
  });

  it('reports a failed save and keeps going', async () => {
    const c = new TestCity(sensorSpec);
    c.heartbeat(0, 'sensor', 'sen-1');
    const errors: string[] = [];
    const dir = tempDir('citygauge-state-');
    // the path is a directory: the rename over it fails
    const saver = new EngineStatePersistence(dir, () => c.engine, 60_000, {
      now: () => at(10),
      onError: (m) => errors.push(m),
    });
    await saver.saveInBackground();
    expect(await saver.stop()).toBeUndefined();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(new RegExp(`^cannot save engine state to ${dir}: `));
  });
});
