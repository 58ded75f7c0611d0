// Several brokers (issue 11, front doors): an agent given two fails over to the second when the first dies or
// cannot be reached, and its outbox sends every QoS 1 reading the first never acknowledged through the second:
// none lost, in order, at most redelivered. Two real aedes brokers on loopback, judged by subscribers inside
// each broker, which see every message it accepted.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFrontDoor } from '../../broker/front-door.js';
import type { DeviceAgent } from '../../edge/agent.js';
import { BrokerUrlError, brokerList, rotated } from '../../edge/brokers.js';
import { Fleet } from '../../edge/fleet.js';
import { SensorAgent } from '../../edge/sensor.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { once, type Received, Recorder, startBroker, type TestBroker } from './harness.js';

describe('brokerList', () => {
  it('takes one URL, several, and comma-separated lists, in order, each once', () => {
    expect(brokerList('mqtt://a:1883')).toEqual(['mqtt://a:1883']);
    expect(brokerList(['mqtt://a:1883, mqtts://b:8883', 'ws://c/mqtt', 'mqtt://a:1883', ' '])).toEqual([
      'mqtt://a:1883',
      'mqtts://b:8883',
      'ws://c/mqtt',
    ]);
  });

  it.each([
    ['', /no broker URL/],
    ['localhost:1883', /mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\//],
    ['http://a:80', /got 'http:\/\/a:80'/],
    ['mqtt://a:1883,nonsense', /'nonsense' is not a URL/],
    ['mqtt://dev:secret@a:1883', /each device logs in with its own id and token/],
  ])('refuses %j with a message naming the fix', (value, message) => {
    expect(() => brokerList(value)).toThrow(BrokerUrlError);
    expect(() => brokerList(value)).toThrow(message);
  });

  it('rotates a list so a fleet spreads its first connections', () => {
    expect(rotated(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotated(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
});

describe('failover between brokers', () => {
  let a: TestBroker;
  let b: TestBroker;
  let atA: Recorder;
  let atB: Recorder;
  const agents: DeviceAgent[] = [];
  let fleet: Fleet | undefined;

  beforeEach(async () => {
    [a, b] = await Promise.all([startBroker(), startBroker()]);
    atA = await Recorder.inside(a.aedes, 'city/#');
    atB = await Recorder.inside(b.aedes, 'city/#');
  });

  afterEach(async () => {
    await fleet?.stop({ graceful: false });
    fleet = undefined;
    await Promise.all(agents.splice(0).map((x) => x.stop({ graceful: false })));
    await Promise.all([atA.close(), atB.close()]);
    await Promise.all([a.close(), b.close()]);
  });

  function sensor(url: string[]): SensorAgent {
    const agent = new SensorAgent({
      url,
      deviceId: 'air-1',
      token: 'secret',
      intervalS: 30,
      outboxDir: tempDir('citygauge-failover-'),
      reconnect: { minMs: 100, maxMs: 400 },
    });
    agents.push(agent);
    return agent;
  }

  const telemetry = (r: Recorder) => r.messages.filter((m) => m.topic.endsWith('/telemetry'));
  const seqs = (ms: Received[]) => ms.map((m) => m.payload.seq as number);

  it('moves to the second broker when the first dies, and every reading arrives at one of them', async () => {
    const agent = sensor([a.url, b.url]).start();
    await once(agent, 'connect');
    expect(agent.broker).toBe(a.url);
    const taken: number[] = [];
    const readings = setInterval(() => taken.push(agent.report({ pm25: taken.length })), 10);
    try {
      await atA.waitFor((m) => (m.payload.seq as number) >= 20, 5000, 'readings through the first broker');

      const killedAt = Date.now();
      await a.down(); // every socket destroyed and the listener closed: a crashed front door
      const takenAtKill = taken.length;
      await once(agent, 'connect', 5000); // the reconnect backoff is 50–150 ms; 5 s bounds the failover
      expect(agent.broker).toBe(b.url);
      const failoverMs = Date.now() - killedAt;

      const live = agent.report({ pm25: -1 });
      taken.push(live);
      await atB.waitFor((m) => m.payload.seq === live, 5000, 'a reading taken after the failover');
      expect(taken.length).toBeGreaterThan(takenAtKill); // readings were taken during the switch too
      expect(failoverMs).toBeLessThan(5000);
    } finally {
      clearInterval(readings);
    }
    expect(await agent.drained(10_000)).toBe(true);

    // None lost: every seq taken was accepted by A before it died or by B after. (aedes routes a message
    // just after its PUBACK, so the last ones may reach the subscriber a moment after the device drained.)
    const missing = () => {
      const atEither = new Set([...seqs(telemetry(atA)), ...seqs(telemetry(atB))]);
      return taken.filter((seq) => !atEither.has(seq));
    };
    await waitFor(
      () => `readings lost: seq ${missing().join(', ')}`,
      () => missing().length === 0,
    );
    // B got the rest in order, starting with what A had not acknowledged (redeliveries of a seq allowed).
    const atBSeqs = seqs(telemetry(atB));
    const firsts = atBSeqs.filter((seq, i) => atBSeqs.indexOf(seq) === i);
    expect(firsts).toEqual([...firsts].sort((x, y) => x - y));
    expect(telemetry(atB).length).toBeGreaterThan(0);
    // The device's status is online at B (docs/contract.md §2: on every (re)connect), so the city sees it back.
    await atB.waitFor((m) => m.topic === 'city/sensor/air-1/status' && m.payload.state === 'online');
  }, 30_000);

  it('goes round the list: back to the first broker when the second dies in turn', async () => {
    const agent = sensor([a.url, b.url]).start();
    await once(agent, 'connect');
    await a.down();
    await once(agent, 'connect', 5000);
    expect(agent.broker).toBe(b.url);
    await a.up();
    await b.down();
    await once(agent, 'connect', 5000);
    expect(agent.broker).toBe(a.url);
    const seq = agent.report({ pm25: 1 });
    await atA.waitFor((m) => m.payload.seq === seq, 5000, 'a reading through the first broker again');
  }, 20_000);

  it('comes back to the same broker after a blip, so its Last Will comes before the new online', async () => {
    const agent = sensor([a.url, b.url]).start();
    await once(agent, 'connect');
    expect(await agent.drained()).toBe(true); // its online status acknowledged: a healthy connection
    agent.interrupt(); // the link drops; broker A is still up
    await once(agent, 'connect', 5000);
    expect(agent.broker).toBe(a.url);
    const states = () => atA.on('city/sensor/air-1/status').map((m) => m.payload.state);
    await atA.waitFor(() => states().length >= 3, 5000, 'the Will and the second online');
    expect(states().slice(0, 3)).toEqual(['online', 'offline', 'online']);
    expect(atB.messages).toEqual([]);
  });

  it('moves on from a broker that takes connections but cannot acknowledge (its log is down)', async () => {
    // A front door whose log refuses every append: it accepts the device, then drops it unacknowledged.
    const sick = installFrontDoor(a.aedes, {
      append: () => Promise.reject(new Error('log unavailable')),
      logger: pino({ level: 'silent' }),
    });
    try {
      const agent = sensor([a.url, b.url]);
      const taken = [1, 2, 3].map((n) => agent.report({ pm25: n }));
      agent.start();
      await atB.waitFor((m) => m.payload.seq === taken[2], 10_000, 'the readings through the healthy broker');
      expect(agent.broker).toBe(b.url);
      expect(sick.stats.failed).toBeGreaterThan(0);
      expect(telemetry(atA)).toEqual([]);
      expect(seqs(telemetry(atB)).filter((seq) => taken.includes(seq))).toEqual(taken);
    } finally {
      sick.uninstall();
    }
  });

  it('goes on to the next broker when the first cannot be reached at start', async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const agent = sensor([dead, b.url]);
    const before = agent.report({ pm25: 7 }); // taken before any connection: kept in the outbox
    agent.start();
    await once(agent, 'connect', 5000);
    expect(agent.broker).toBe(b.url);
    await atB.waitFor((m) => m.payload.seq === before, 5000, 'the reading taken before connecting');
    expect(agent.stats.connects).toBe(1);
  });

  it('spreads a fleet over the brokers: device i starts at the i-th', async () => {
    fleet = Fleet.start(
      [
        { id: 'sen-1', kind: 'sensor', token: 't', intervalS: 60 },
        { id: 'sen-2', kind: 'sensor', token: 't', intervalS: 60 },
      ],
      { url: `${a.url},${b.url}`, outboxRoot: tempDir('citygauge-fleet-'), faults: false, rampMs: 0 },
    );
    const online = (id: string) => (m: Received) =>
      m.topic === `city/sensor/${id}/status` && m.payload.state === 'online';
    await atA.waitFor(online('sen-1'), 5000, 'sen-1 online at the first broker');
    await atB.waitFor(online('sen-2'), 5000, 'sen-2 online at the second broker');
  });
});
