// Two front doors, one log (issue 11, items 2 and 9a in miniature): two real embedded brokers with the same
// credentials, each with a front door appending to one shared log, and a device given both. The first door
// dies mid-stream; the device goes on through the second, and every reading is in the log, none
// acknowledged before the log had it. The log here is an array; the cluster's is JetStream.
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type BrokerHandle, startBroker } from '../../broker/embedded-broker.js';
import { type AdmittedMessage, installFrontDoor } from '../../broker/front-door.js';
import { RegistryPolicy } from '../../broker/registry-policy.js';
import { SensorAgent } from '../../edge/sensor.js';
import { RegistryStore } from '../../registry/store.js';
import { makeInventory } from '../support/city.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

let doors: BrokerHandle[];
let store: RegistryStore;
let token: string;
const log: AdmittedMessage[] = [];
let agent: SensorAgent | undefined;

beforeEach(async () => {
  store = await RegistryStore.open(tempDir('citygauge-doors-'));
  const credentials = store.credentials();
  token = credentials.issue('air-1', 'device');
  const policy = new RegistryPolicy(
    makeInventory({ devices: [{ id: 'air-1', kind: 'sensor' }] }),
    credentials,
  );
  const quiet = pino({ level: 'silent' });
  log.length = 0;
  doors = [];
  for (let i = 0; i < 2; i++) {
    const door = await startBroker({ policy, host: '127.0.0.1', mqttPort: 0, wsPort: 0, logger: quiet });
    // The log acknowledges a moment later, as a replicated one would.
    installFrontDoor(door.aedes, {
      append: (m) => new Promise((resolve) => setTimeout(() => resolve(void log.push(m)), 2)),
      logger: quiet,
    });
    doors.push(door);
  }
});

afterEach(async () => {
  await agent?.stop({ graceful: false });
  agent = undefined;
  await Promise.all(doors.map((d) => d.close()));
  store.close();
});

const seqOf = (m: AdmittedMessage) => JSON.parse(m.payload.toString()).seq as number;

it('keeps every reading when a front door dies, and acknowledges none before the log has it', async () => {
  const [first, second] = doors.map((d) => `mqtt://127.0.0.1:${d.mqttPort}`);
  agent = new SensorAgent({
    url: [first, second],
    deviceId: 'air-1',
    token,
    intervalS: 30,
    outboxDir: tempDir('citygauge-doors-outbox-'),
    reconnect: { minMs: 100, maxMs: 400 },
  });
  const ackedBeforeLogged: number[] = [];
  agent.on('acked', (seq) => {
    if (!log.some((m) => seqOf(m) === seq)) ackedBeforeLogged.push(seq);
  });
  agent.start();
  const taken: number[] = [];
  const readings = setInterval(() => taken.push(agent!.report({ pm25: taken.length })), 10);
  try {
    await waitFor(
      () => 'no readings in the log through the first door',
      () => log.filter((m) => m.topic.endsWith('/telemetry')).length >= 20,
    );
    await doors[0].close(); // the first front door goes away with its sockets
    await waitFor(
      () => 'the device did not reach the second door',
      () => agent!.isConnected && agent!.broker === second,
    );
    const live = agent.report({ pm25: -1 });
    taken.push(live);
    await waitFor(
      () => 'a reading taken after the switch is not in the log',
      () => log.some((m) => seqOf(m) === live),
    );
  } finally {
    clearInterval(readings);
  }
  expect(await agent.drained(10_000)).toBe(true);
  const logged = new Set(log.filter((m) => m.topic.endsWith('/telemetry')).map(seqOf));
  expect(taken.filter((seq) => !logged.has(seq))).toEqual([]);
  expect(ackedBeforeLogged).toEqual([]);
  // The device said online at the second door too: the log has that, stamped by the door that took it.
  const online = log.filter((m) => m.topic === 'city/sensor/air-1/status' && !m.will);
  expect(online.length).toBeGreaterThanOrEqual(2);
});

it('fails over across transports: from MQTT over TCP to MQTT over WebSocket with its path', async () => {
  const first = `mqtt://127.0.0.1:${doors[0].mqttPort}`;
  const second = `ws://127.0.0.1:${doors[1].wsPort}/mqtt`;
  await doors[0].close();
  agent = new SensorAgent({
    url: `${first},${second}`,
    deviceId: 'air-1',
    token,
    intervalS: 30,
    outboxDir: tempDir('citygauge-doors-outbox-'),
    reconnect: { minMs: 100, maxMs: 400 },
  });
  const seq = agent.report({ pm25: 1 });
  agent.start();
  await waitFor(
    () => 'the reading did not reach the log over WebSocket',
    () => log.some((m) => m.topic.endsWith('/telemetry') && seqOf(m) === seq),
  );
  expect(agent.broker).toBe(second);
});
