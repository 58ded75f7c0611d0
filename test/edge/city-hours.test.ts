// Simulated buses keep the city's hours (city.json timeZone), not the machine's: this file runs with the
// machine's clock in Tokyo and the city in Los Angeles, where 17:00Z is 09:00 in the city and 02:00 here.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { Fleet, type FleetDevice } from '../../edge/fleet.js';
import { tempDir } from '../support/tmp.js';
import { type Received, Recorder, startBroker, type TestBroker } from './harness.js';

const machineZone = process.env.TZ;
let broker: TestBroker;
let recorder: Recorder;
let fleet: Fleet | undefined;

beforeAll(() => {
  process.env.TZ = 'Asia/Tokyo';
});
afterAll(() => {
  if (machineZone === undefined) delete process.env.TZ;
  else process.env.TZ = machineZone;
});
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

const bus: FleetDevice = { id: 'bus-1', kind: 'transit-beacon', token: 't', intervalS: 30, routeId: '22' };
const on = (topic: string) => (m: Received) => m.topic === topic;
const startAt = (iso: string) =>
  Fleet.start([bus], {
    url: broker.url,
    outboxRoot: tempDir('citygauge-fleet-'),
    speed: 60,
    startAt: Date.parse(iso),
    timeZone: 'America/Los_Angeles',
    faults: false,
  });

it('runs the machine in another zone than the city (the premise of this file)', () => {
  expect(new Date(Date.parse('2026-01-05T17:00:00Z')).getHours()).toBe(2);
});

it("runs buses in the city's morning although it is night on the machine", async () => {
  fleet = startAt('2026-01-05T17:00:00Z'); // 09:00 PST, 02:00 JST
  const arrival = await recorder.waitFor(on('city/transit-beacon/bus-1/arrival'), 10_000);
  expect(arrival.payload).toMatchObject({ routeId: '22', vehicleId: 'bus-1' });
});

it("keeps buses at the depot in the city's night although it is evening on the machine", async () => {
  fleet = startAt('2026-01-05T10:00:00Z'); // 02:00 PST, 19:00 JST
  await recorder.waitFor(() => recorder.on('city/transit-beacon/bus-1/heartbeat').length >= 3, 10_000);
  expect(recorder.on('city/transit-beacon/bus-1/arrival')).toEqual([]);
});

it('refuses a time zone the runtime does not know, naming it', () => {
  expect(() =>
    Fleet.start([bus], {
      url: broker.url,
      outboxRoot: tempDir('citygauge-fleet-'),
      timeZone: 'Mars/Olympus',
    }),
  ).toThrow(/unknown time zone "Mars\/Olympus".*Europe\/Paris/);
});
