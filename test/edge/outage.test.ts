// The outbox end to end (issue 3, item 7): readings taken while the broker is unreachable — for 5 seconds,
// or across a restart of the device — arrive afterwards, every one, in order, with at most redeliveries of
// a seq already seen (which the engine drops, docs/contract.md §3). Judged by a subscriber inside the broker, which
// the outage does not cut off: a network subscriber with a persistent session also gets every reading, but
// aedes may hand it live messages before those it queued while that subscriber was away — the subscriber's
// outage, not the device's.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SensorAgent } from '../../edge/sensor.js';
import { tempDir } from '../support/tmp.js';
import { once, type Received, Recorder, startBroker, type TestBroker } from './harness.js';

let broker: TestBroker;
let recorder: Recorder;
const agents: SensorAgent[] = [];

beforeEach(async () => {
  broker = await startBroker();
  recorder = await Recorder.inside(broker.aedes, 'city/sensor/+/telemetry');
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop({ graceful: false })));
  await recorder.close();
  await broker.close();
});

function sensor(outboxDir: string) {
  const agent = new SensorAgent({
    url: broker.url,
    deviceId: 'air-1',
    token: 'secret',
    intervalS: 30,
    outboxDir,
    reconnect: { minMs: 100, maxMs: 400 },
  });
  agents.push(agent);
  return agent;
}

/** Every reading taken arrives; anything else is a repeat of a seq already delivered, never out of order. */
function expectInOrder(received: Received[], taken: number[]): void {
  const seqs = received.map((m) => m.payload.seq as number);
  const firsts: number[] = [];
  let highest = 0;
  for (const seq of seqs) {
    if (seq > highest) {
      firsts.push(seq);
      highest = seq;
    } else {
      expect(firsts, `seq ${seq} came again after ${highest}: only a redelivery may`).toContain(seq);
    }
  }
  expect(firsts).toEqual(taken);
}

const lastOf = (taken: number[]) => (m: Received) => m.payload.seq === taken[taken.length - 1];

it('delivers every reading taken across a 5-second broker outage, in order', async () => {
  const agent = sensor(tempDir('citygauge-outbox-')).start();
  await once(agent, 'connect');
  const taken: number[] = [];
  const readings = setInterval(() => taken.push(agent.report({ pm25: taken.length })), 20);
  try {
    await recorder.waitFor((m) => (m.payload.seq as number) >= 10, 5000, 'readings before the outage');

    await broker.down();
    const takenBefore = taken.length;
    await once(agent, 'close', 5000);
    // The outage's length is the test's input, not a wait for something to happen.
    await sleep(5000);
    const takenDuring = taken.length - takenBefore;
    expect(agent.isConnected).toBe(false);
    expect(agent.stats.pending).toBeGreaterThanOrEqual(takenDuring);

    await broker.up();
    await once(agent, 'connect', 10_000);
    const live = agent.report({ pm25: -1 });
    taken.push(live);
    await recorder.waitFor((m) => m.payload.seq === live, 10_000, 'a reading taken after the outage');
    expect(takenDuring).toBeGreaterThan(150); // ~250 at one reading per 20 ms
  } finally {
    clearInterval(readings);
  }
  await recorder.waitFor(lastOf(taken), 10_000, `reading seq ${taken[taken.length - 1]}`);
  expect(await agent.drained()).toBe(true);
  expectInOrder(recorder.messages, taken);
}, 30_000);

it('sends what an earlier run left in its outbox, and seq continues', async () => {
  const dir = tempDir('citygauge-outbox-');
  await broker.down();
  const first = sensor(dir).start();
  const taken = [1, 2, 3, 4, 5].map((n) => first.report({ pm25: n }));
  expect(taken).toEqual([1, 2, 3, 4, 5]);
  await first.stop({ graceful: false }); // the device powers off with five readings unsent
  agents.splice(agents.indexOf(first), 1);

  await broker.up();
  const second = sensor(dir).start();
  await recorder.waitFor(lastOf(taken), 10_000, 'the earlier run’s readings');
  const next = second.report({ pm25: 6 });
  expect(next).toBeGreaterThan(5); // after the status online the new run published on connecting
  taken.push(next);
  await recorder.waitFor(lastOf(taken), 5000, 'the new reading');
  expectInOrder(recorder.messages, taken);
});
