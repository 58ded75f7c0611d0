// The simulated fleet against a real aedes broker: one connection per entry, the contract's payloads, and
// every kind of fault, on a simulated clock running fast.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Fleet, type FleetDevice } from '../../edge/fleet.js';
import { tempDir } from '../support/tmp.js';
import { type Received, Recorder, startBroker, type TestBroker } from './harness.js';

let broker: TestBroker;
let recorder: Recorder;
let fleet: Fleet | undefined;

beforeEach(async () => {
  broker = await startBroker();
  recorder = await Recorder.inside(broker.aedes, 'city/#');
});

afterEach(async () => {
  await fleet?.stop({ graceful: false });
  fleet = undefined;
  await recorder.close();
  await broker.close();
});

const town: FleetDevice[] = [
  {
    id: 'gw-1',
    kind: 'cctv-gateway',
    token: 't',
    intervalS: 30,
    cameras: [{ id: 'cam-1' }, { id: 'cam-2' }],
  },
  { id: 'cam-3', kind: 'cctv', token: 't', intervalS: 30, shared: true },
  { id: 'pm-1', kind: 'pipe-monitor', token: 't', intervalS: 60 },
  { id: 'pm-2', kind: 'pipe-monitor', token: 't', intervalS: 60 },
  { id: 'sen-1', kind: 'sensor', token: 't', intervalS: 60, siteClass: 'energy' },
  { id: 'sen-2', kind: 'sensor', token: 't', intervalS: 60 },
  { id: 'bus-1', kind: 'transit-beacon', token: 't', intervalS: 30, routeId: '22' },
];

const noon = Date.parse('2026-01-05T12:00:00Z');
const on = (topic: string) => (m: Received) => m.topic === topic;

it('opens one connection per entry, the gateway speaking for its cameras, with the contract’s payloads', async () => {
  const clients = new Set<string>();
  broker.aedes.on('client', (c) => clients.add(c.id));
  fleet = Fleet.start(town, {
    url: broker.url,
    outboxRoot: tempDir('citygauge-fleet-'),
    seed: 7,
    speed: 60, // a 60 s interval passes in 1 s
    startAt: noon,
    timeZone: 'UTC',
    faults: false,
    rampMs: 0,
  });
  expect(fleet.connections).toBe(7);
  expect(fleet.devices).toBe(9);
  for (const id of ['cam-1', 'cam-2', 'cam-3']) {
    const status = await recorder.waitFor(on(`city/cctv/${id}/status`));
    expect(status.payload).toMatchObject({ state: 'online', video: 'ok' });
    expect(typeof status.payload.shared).toBe('boolean');
  }
  const pipe = await recorder.waitFor(on('city/pipe-monitor/pm-1/telemetry'), 5000);
  expect(pipe.payload).toMatchObject({ leak: false });
  expect(pipe.payload.pressureKPa).toBeGreaterThan(200);
  expect(pipe.payload.flowLps).toBeGreaterThanOrEqual(0);
  const energy = await recorder.waitFor(on('city/sensor/sen-1/telemetry'), 5000);
  expect(Object.keys(energy.payload.metrics as object)).toEqual(['kwh']);
  const air = await recorder.waitFor(on('city/sensor/sen-2/telemetry'), 5000);
  expect(Object.keys(air.payload.metrics as object).sort()).toEqual(['no2', 'pm25']);
  const arrival = await recorder.waitFor(on('city/transit-beacon/bus-1/arrival'), 5000);
  expect(arrival.payload).toMatchObject({ routeId: '22', vehicleId: 'bus-1' });
  expect(arrival.payload.predictedArrival).toBeGreaterThanOrEqual(arrival.payload.ts as number);
  // Simulated time: at speed 60 the readings' clock runs a minute per second from noon.
  expect(pipe.payload.ts).toBeGreaterThanOrEqual(noon);
  expect(pipe.payload.ts).toBeLessThan(noon + 10 * 60_000);

  await recorder.waitFor(() => clients.size === 7, 5000, 'seven connections');
  expect([...clients].sort()).toEqual(['bus-1', 'cam-3', 'gw-1', 'pm-1', 'pm-2', 'sen-1', 'sen-2']);

  const stats = await fleet.stop({ graceful: true });
  expect(stats).toMatchObject({ connections: 7, devices: 9, pending: 0 });
  expect(stats.messagesSent).toBeGreaterThan(10);
  // Graceful: every device, cameras behind the gateway included, said offline with a seq (not a Last Will).
  for (const topic of [
    'city/cctv/cam-1/status',
    'city/cctv-gateway/gw-1/status',
    'city/sensor/sen-2/status',
  ]) {
    const last = recorder.on(topic).at(-1);
    expect(last?.payload).toMatchObject({ state: 'offline', seq: expect.any(Number) });
  }
});

it('keeps buses quiet at night', async () => {
  fleet = Fleet.start([town[6]], {
    url: broker.url,
    outboxRoot: tempDir('citygauge-fleet-'),
    speed: 60,
    startAt: Date.parse('2026-01-05T02:00:00Z'),
    timeZone: 'UTC',
    faults: false,
  });
  // Heartbeats keep the beacon online at the depot, and no arrival forecasts come.
  await recorder.waitFor(on('city/transit-beacon/bus-1/heartbeat'), 5000);
  await recorder.waitFor(() => recorder.on('city/transit-beacon/bus-1/heartbeat').length >= 3, 5000);
  expect(recorder.on('city/transit-beacon/bus-1/arrival')).toEqual([]);
});

it('injects every kind of fault, the gateway failure firing its Last Will', async () => {
  fleet = Fleet.start(town, {
    url: broker.url,
    outboxRoot: tempDir('citygauge-fleet-'),
    seed: 3,
    speed: 600, // every kind strikes once in its first 3 simulated minutes: here within 0.3 s
    startAt: noon,
    rampMs: 0,
    reconnect: { minMs: 50, maxMs: 200 },
  });
  const will = await recorder.waitFor(
    (m) =>
      m.topic === 'city/cctv-gateway/gw-1/status' && m.payload.state === 'offline' && !('seq' in m.payload),
    5000,
    'the gateway’s Last Will',
  );
  expect(will.payload).toEqual({ state: 'offline' });
  await recorder.waitFor(
    (m) => m.topic.startsWith('city/cctv/') && m.payload.video !== undefined && m.payload.video !== 'ok',
    5000,
    'a camera with lost or degraded video',
  );
  await recorder.waitFor(
    (m) => /^city\/cctv\/cam-[12]\/status$/.test(m.topic) && m.payload.state === 'offline',
    5000,
    'a camera its gateway cannot reach',
  );
  const faults = fleet.stats().faults;
  for (const [kind, count] of Object.entries(faults)) expect(count, kind).toBeGreaterThanOrEqual(1);
});
