// The front door (issue 11): on the real embedded broker with its guard, a device's QoS 1 PUBACK comes only
// once the log's append resolved; a failed append gives no PUBACK and the device's resend is appended again;
// an append that throws never takes the broker down. Real aedes, real MQTT.js clients on loopback.
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdmittedMessage, type FrontDoor, installFrontDoor } from '../../broker/front-door.js';
import { SensorAgent } from '../../edge/sensor.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { closed, nextPublish, startTestBroker, type TestBroker } from './harness.js';

/** An append the test settles by hand, one message at a time. */
class ManualLog {
  readonly calls: { message: AdmittedMessage; resolve: () => void; reject: (e: Error) => void }[] = [];
  /** How each call ends unless the test settles it: undefined = held until settled. */
  behaviour: ((m: AdmittedMessage, n: number) => 'resolve' | 'reject' | 'throw' | undefined) | undefined;

  append = (message: AdmittedMessage): Promise<void> => {
    const verdict = this.behaviour?.(message, this.calls.length);
    if (verdict === 'throw') throw new Error('append blew up');
    return new Promise<void>((resolve, reject) => {
      this.calls.push({ message, resolve, reject });
      if (verdict === 'resolve') resolve();
      if (verdict === 'reject') reject(new Error('log unavailable'));
    });
  };

  /** Resolves with the n-th call (0-based) once it has been made, or fails naming what was awaited. */
  async call(n: number, timeoutMs = 5000) {
    await waitFor(
      () => `append call ${n + 1} (called ${this.calls.length} times)`,
      () => this.calls.length > n,
      timeoutMs,
    );
    return this.calls[n];
  }
}

let t: TestBroker;
let log: ManualLog;
let door: FrontDoor;
const logLines: { msg: string; event?: string }[] = [];

beforeEach(async () => {
  t = await startTestBroker();
  log = new ManualLog();
  logLines.length = 0;
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  door = installFrontDoor(t.broker.aedes, { append: log.append, logger: pino(sink) });
});

let resendingClient: MqttClient | undefined;

afterEach(async () => {
  resendingClient?.end(true);
  resendingClient = undefined;
  door.uninstall();
  await t.close();
});

const READING = 'city/sensor/s-1/telemetry';
const publishQos1 = (client: MqttClient, topic: string, payload: string) => {
  const acked = { done: false, err: undefined as Error | undefined };
  client.publish(topic, payload, { qos: 1 }, (err) => {
    acked.done = true;
    acked.err = err;
  });
  return acked;
};

describe('PUBACK after the append', () => {
  it('holds the PUBACK while the append is pending and sends it right after it resolves', async () => {
    const device = await t.connect('s-1');
    const routed = nextPublish(t.broker, (topic) => topic === READING);
    const sentAt = Date.now();
    const acked = publishQos1(device, READING, '{"seq":1,"ts":1}');

    const call = await log.call(0);
    expect(call.message).toMatchObject({
      topic: READING,
      clientId: 's-1',
      qos: 1,
      retain: false,
      will: false,
    });
    expect(call.message.payload.toString()).toBe('{"seq":1,"ts":1}');
    expect(call.message.receivedAt).toBeGreaterThanOrEqual(sentAt);
    expect(call.message.receivedAt).toBeLessThanOrEqual(Date.now());
    // An absence is shown against a witness: another device's reading, appended at once, is acknowledged
    // through the same broker while this one's PUBACK is still held.
    const witness = await t.connect('s-2');
    const witnessAcked = publishQos1(witness, 'city/sensor/s-2/telemetry', '{"seq":1,"ts":1}');
    (await log.call(1)).resolve();
    await waitFor('the witness PUBACK', () => witnessAcked.done);
    witness.end(true);
    expect(acked.done).toBe(false);
    expect(door.stats.pending).toBe(1);

    call.resolve();
    await waitFor('the PUBACK after the append resolved', () => acked.done);
    expect(acked.err).toBeFalsy();
    await routed; // and aedes routes it as usual
    expect(door.stats).toMatchObject({ appended: 2, failed: 0, lost: 0, pending: 0 });
  });

  it('appends a window of QoS 1 messages in the order the device sent them', async () => {
    log.behaviour = () => 'resolve';
    const device = await t.connect('s-1');
    const acks = Array.from({ length: 20 }, (_, i) => publishQos1(device, READING, `{"seq":${i + 1}}`));
    await waitFor('every PUBACK', () => acks.every((a) => a.done));
    expect(log.calls.map((c) => JSON.parse(c.message.payload.toString()).seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('sends no PUBACK when the append fails, and appends the same message again when the device resends it', async () => {
    log.behaviour = (_m, n) => (n === 0 ? 'reject' : 'resolve');
    // A persistent session: MQTT.js resends its unacknowledged QoS 1 messages on reconnecting. Not the
    // harness's connect, which ends a client at its first close.
    const device = mqtt.connect(t.url, {
      clientId: 's-1',
      username: 's-1',
      password: t.tokens['s-1'],
      clean: false,
      reconnectPeriod: 200,
    });
    resendingClient = device;
    let closes = 0;
    device.on('close', () => closes++);
    const acked = publishQos1(device, READING, '{"seq":7,"ts":1}');

    await log.call(1, 10_000); // the resend, after the broker closed the connection on the failure
    await waitFor('the PUBACK of the resent message', () => acked.done, 10_000);
    expect(acked.err).toBeFalsy();
    expect(closes).toBeGreaterThanOrEqual(1);
    expect(log.calls.map((c) => c.message.payload.toString())).toEqual([
      '{"seq":7,"ts":1}',
      '{"seq":7,"ts":1}',
    ]);
    expect(door.stats).toMatchObject({ appended: 1, failed: 1, lost: 0 });
    expect(logLines.some((l) => l.event === 'append-failed')).toBe(true);
  });

  it('gives up on an append the log never answers: no PUBACK, the device disconnected', async () => {
    door.uninstall();
    door = installFrontDoor(t.broker.aedes, {
      append: log.append,
      logger: pino({ level: 'silent' }),
      timeoutMs: 200,
    });
    const device = await t.connect('s-1');
    const acked = publishQos1(device, READING, '{"seq":1}');
    await log.call(0); // held for ever by the test
    await closed(device, 5000);
    expect(acked.done && !acked.err).toBe(false);
    expect(door.stats).toMatchObject({ failed: 1, pending: 0, appended: 0 });
    log.calls[0].resolve(); // answering late changes nothing
    await new Promise((r) => setImmediate(r)); // the door hears the late answer within this turn
    expect(door.stats).toMatchObject({ failed: 1, appended: 0 });
  });

  it('survives an append that throws: that device is disconnected, the broker serves the next', async () => {
    log.behaviour = (m) => (m.clientId === 's-1' ? 'throw' : 'resolve');
    const bad = await t.connect('s-1');
    const acked = publishQos1(bad, READING, '{"seq":1}');
    await closed(bad);
    expect(acked.done && !acked.err).toBe(false);
    expect(door.stats.failed).toBe(1);

    const good = await t.connect('s-2');
    const ok = publishQos1(good, 'city/sensor/s-2/telemetry', '{"seq":1}');
    await waitFor('a PUBACK for another device', () => ok.done);
    expect(ok.err).toBeFalsy();
  });

  it('routes a QoS 0 message whose append failed, counts it lost and keeps the connection', async () => {
    log.behaviour = () => 'reject';
    const device = await t.connect('s-1');
    const routed = nextPublish(t.broker, (topic) => topic === READING);
    device.publish(READING, '{"seq":1}', { qos: 0 });
    await routed;
    expect(door.stats).toMatchObject({ lost: 1, failed: 0 });
    expect(device.connected).toBe(true);
  });
});

describe('with an edge agent', () => {
  it('gets every reading into the log though appends fail for a while: the outbox resends them', async () => {
    let failing = true;
    const inLog: number[] = [];
    log.behaviour = (m) => {
      if (failing) return 'reject';
      if (m.topic === READING) inLog.push(JSON.parse(m.payload.toString()).seq);
      return 'resolve';
    };
    const agent = new SensorAgent({
      url: t.url,
      deviceId: 's-1',
      token: t.tokens['s-1'],
      intervalS: 30,
      outboxDir: tempDir('citygauge-front-door-'),
      reconnect: { minMs: 100, maxMs: 200 },
    });
    try {
      agent.start();
      const taken = [1, 2, 3, 4, 5].map((n) => agent.report({ pm25: n }));
      await waitFor('a few failed appends', () => door.stats.failed >= 3);
      failing = false;
      expect(await agent.drained(10_000)).toBe(true);
      expect(taken.filter((seq) => !inLog.includes(seq))).toEqual([]);
      expect(agent.stats.connects).toBeGreaterThan(1); // each failure cost the device its connection
    } finally {
      await agent.stop({ graceful: false });
    }
  });
});

describe('what goes to the log', () => {
  it('appends only what the guard admitted: a publish on another device’s topic is not in the log', async () => {
    log.behaviour = () => 'resolve';
    const device = await t.connect('s-1');
    await device.publishAsync('city/sensor/s-2/telemetry', '{"seq":1}', { qos: 1 }); // the gate's PUBACK
    const ok = publishQos1(device, READING, '{"seq":2}');
    await waitFor('the PUBACK of an admitted message', () => ok.done);
    expect(log.calls.map((c) => c.message.topic)).toEqual([READING]);
  });

  it('appends a Last Will, marked as one, when a device’s connection dies', async () => {
    log.behaviour = () => 'resolve';
    const will = {
      topic: 'city/sensor/s-1/status',
      payload: Buffer.from('{"state":"offline"}'),
      qos: 1 as const,
      retain: true,
    };
    const device = await t.connect('s-1', { will });
    device.stream.destroy();
    const call = await log.call(0);
    expect(call.message).toMatchObject({ topic: will.topic, clientId: 's-1', will: true, retain: true });
  });

  it('stacks: two front doors on one broker each get the message, in the order installed', async () => {
    const second: AdmittedMessage[] = [];
    const other = installFrontDoor(t.broker.aedes, {
      append: async (m) => {
        second.push(m);
      },
      logger: pino({ level: 'silent' }),
    });
    try {
      log.behaviour = () => 'resolve';
      const device = await t.connect('s-1');
      await device.publishAsync(READING, '{"seq":1}', { qos: 1 });
      expect([log.calls.length, second.length]).toEqual([1, 1]);
      door.uninstall(); // under the other one: it passes through from now on
      await device.publishAsync(READING, '{"seq":2}', { qos: 1 });
      expect([log.calls.length, second.length]).toEqual([1, 2]);
    } finally {
      other.uninstall();
    }
  });

  it('leaves out what `accepts` declines, and routes it unlogged', async () => {
    door.uninstall();
    door = installFrontDoor(t.broker.aedes, {
      append: log.append,
      logger: pino({ level: 'silent' }),
      accepts: (m) => !m.topic.endsWith('/status'),
    });
    log.behaviour = () => 'resolve';
    const device = await t.connect('s-1');
    await device.publishAsync('city/sensor/s-1/status', '{"state":"online"}', { qos: 1 });
    await device.publishAsync(READING, '{"seq":1}', { qos: 1 });
    expect(log.calls.map((c) => c.message.topic)).toEqual([READING]);
  });
});
