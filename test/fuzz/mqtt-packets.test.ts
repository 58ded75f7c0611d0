// Malformed MQTT on raw TCP sockets against the embedded broker: bad remaining lengths, invalid UTF-8 and
// wildcard or empty PUBLISH topics, a huge SUBSCRIBE, garbage after CONNECT, half-open sockets, and random
// bytes after a valid CONNECT as a property. The broker stays up with bounded memory, closes half-open
// sockets within its connect timeout, and a real device (mqtt.js, its own token) is served throughout.
import { type Socket, connect as tcpConnect } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../broker/harness.js';
import { fuzzParams, fuzzTimeout, RUNS } from './runs.js';

const CONNECT_TIMEOUT_MS = 1500;
/** Each case here is a real TCP connection, login included: as many as the in-process properties run. */
const SOCKET_RUNS = RUNS;

// Packets by hand (MQTT 3.1.1 §2–3), so that they can be made wrong on purpose.
const varint = (n: number) => {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
};
const str = (s: string | Buffer) => {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const packet = (first: number, body: Buffer) =>
  Buffer.concat([Buffer.from([first, ...varint(body.length)]), body]);
const connectPacket = (clientId: string, username?: string, password?: string, keepaliveS = 30) =>
  packet(
    0x10,
    Buffer.concat([
      str('MQTT'),
      Buffer.from([
        4,
        0x02 | (username ? 0x80 : 0) | (password ? 0x40 : 0),
        keepaliveS >> 8,
        keepaliveS & 0xff,
      ]),
      str(clientId),
      ...(username ? [str(username)] : []),
      ...(password ? [str(password)] : []),
    ]),
  );
const publishPacket = (topic: string | Buffer, payload = '{"ts":1}') =>
  packet(0x30, Buffer.concat([str(topic), Buffer.from(payload)]));
const subscribePacket = (filters: string[]) =>
  packet(
    0x82,
    Buffer.concat([Buffer.from([0, 1]), ...filters.map((f) => Buffer.concat([str(f), Buffer.from([0])]))]),
  );

let tb: TestBroker;
let device: MqttClient;
const received: string[] = [];
let mib = () => process.memoryUsage().heapUsed / 2 ** 20;

beforeAll(async () => {
  tb = await startTestBroker({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
  device = await tb.connect('pm-1', { keepalive: 30 });
  await device.subscribeAsync('city/pipe-monitor/pm-1/cmd/#', { qos: 1 });
  device.on('message', (topic) => received.push(topic));
  // A heap read without a collection first measures garbage, which a busy machine leaves lying longer:
  // V8 hands out its collector to a process that asks for it at run time.
  v8.setFlagsFromString('--expose-gc');
  const gc = (globalThis as { gc?: () => void }).gc ?? (vm.runInNewContext('gc') as () => void);
  mib = () => {
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
});
afterAll(async () => {
  device?.end(true);
  await tb?.close();
});

/** The real device is still served: its QoS 1 publish is acknowledged and routed, and a command reaches it. */
async function deviceIsServed(n: number): Promise<void> {
  const payload = JSON.stringify({ ts: n, pressureKPa: 1, flowLps: 1, leak: false });
  const routed = new Promise<void>((resolve) => {
    const off = tb.broker.onPublish((topic, p) => {
      if (topic === 'city/pipe-monitor/pm-1/telemetry' && p.toString() === payload) {
        off();
        resolve();
      }
    });
  });
  await device.publishAsync('city/pipe-monitor/pm-1/telemetry', payload, { qos: 1 });
  await routed;
  const before = received.length;
  await tb.broker.publish(`city/pipe-monitor/pm-1/cmd/check-${n}`, '{}', { qos: 1 });
  await until(() => received.length > before, `the device did not receive command ${n}`);
}

async function until(ok: () => boolean, message: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Open a raw socket, write the chunks, and report whether and when the broker closed it. */
function rawSession(chunks: Buffer[], opts: { waitForCloseMs?: number } = {}) {
  return new Promise<{ closedByBroker: boolean; afterMs: number; replies: Buffer }>((resolve, reject) => {
    const socket: Socket = tcpConnect(tb.broker.mqttPort, '127.0.0.1');
    const replies: Buffer[] = [];
    let start = 0;
    let done = false;
    const finish = (closedByBroker: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ closedByBroker, afterMs: Date.now() - start, replies: Buffer.concat(replies) });
    };
    const timer = setTimeout(() => finish(false), opts.waitForCloseMs ?? 5000);
    socket.on('data', (d) => replies.push(d));
    socket.on('error', () => finish(true)); // a reset from the broker is a close too
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      start = Date.now();
      for (const c of chunks) socket.write(c);
      if (chunks.length === 0) return;
    });
    socket.on('timeout', () => reject(new Error('socket timeout')));
  });
}

const login = () => connectPacket('s-1', 's-1', tb.tokens['s-1']);

describe('malformed MQTT packets against the embedded broker', () => {
  it.each([
    [
      'a remaining length of five continuation bytes',
      () => [Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ],
    ['a CONNECT declaring 256 MB', () => [Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f, 0, 4])]],
    [
      'a PUBLISH declaring 256 MB after CONNECT',
      () => [login(), Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f, 0, 4])],
    ],
    [
      'a PUBLISH topic of invalid UTF-8',
      () => [login(), publishPacket(Buffer.from([0x63, 0xc3, 0x28, 0xff]))],
    ],
    ['a PUBLISH topic with a wildcard', () => [login(), publishPacket('city/sensor/s-1/#')]],
    ['a PUBLISH topic with +', () => [login(), publishPacket('city/sensor/+/heartbeat')]],
    ['an empty PUBLISH topic', () => [login(), publishPacket('')]],
    [
      'a SUBSCRIBE of 3,000 filters',
      () => [login(), subscribePacket(Array.from({ length: 3000 }, (_, i) => `f/${i}`))],
    ],
    [
      'a SUBSCRIBE of 100,000 filters',
      () => [login(), subscribePacket(Array.from({ length: 100_000 }, (_, i) => `${i}`))],
    ],
    ['garbage after CONNECT', () => [login(), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]],
    ['a second CONNECT', () => [login(), login()]],
    ['a packet of reserved type 0', () => [login(), Buffer.from([0x00, 0x00])]],
    [
      'a CONNECT with protocol level 9',
      () => [Buffer.from([0x10, 12, 0, 4, 77, 81, 84, 84, 9, 2, 0, 30, 0, 0])],
    ],
    [
      'a CONNECT whose client id overruns the packet',
      () => [Buffer.from([0x10, 12, 0, 4, 77, 81, 84, 84, 4, 2, 0, 30, 0xff, 0xff])],
    ],
  ])('survives %s and keeps serving the device', async (_name, chunks) => {
    const r = await rawSession(chunks(), { waitForCloseMs: 3000 });
    // Whatever the broker made of it, it is not a connection that lingers with a protocol error in it.
    expect(r.afterMs).toBeLessThan(5000);
    await deviceIsServed(received.length);
  });

  it('refuses a wildcard PUBLISH topic without routing it (MQTT-3.3.2-2)', async () => {
    const heard: string[] = [];
    const off = tb.broker.onPublish((topic) => heard.push(topic));
    await rawSession([login(), publishPacket('city/sensor/s-1/#'), publishPacket('')], {
      waitForCloseMs: 1000,
    });
    await deviceIsServed(received.length);
    off();
    expect(heard.filter((t) => t.includes('#') || t === '')).toEqual([]);
  });

  it('closes a socket that never sends, or sends half a CONNECT, within its connect timeout', async () => {
    const silent = rawSession([], { waitForCloseMs: CONNECT_TIMEOUT_MS + 10_000 });
    const half = rawSession([login().subarray(0, 9)], { waitForCloseMs: CONNECT_TIMEOUT_MS + 10_000 });
    const headerOnly = rawSession([Buffer.from([0x10])], { waitForCloseMs: CONNECT_TIMEOUT_MS + 10_000 });
    for (const r of await Promise.all([silent, half, headerOnly])) {
      expect(r.closedByBroker).toBe(true);
      // Not before the timeout (nothing else would close it), and not long after it on a busy machine.
      expect(r.afterMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 100);
      expect(r.afterMs).toBeLessThan(CONNECT_TIMEOUT_MS + 8000);
    }
    await deviceIsServed(received.length);
  });

  it(
    'takes any bytes after a valid CONNECT: the broker stays up, memory stays bounded, the device is served',
    async () => {
      tb.logs.length = 0;
      const heapBefore = mib();
      const rssBefore = process.memoryUsage().rss / 2 ** 20;
      let n = 0;
      const bytes = fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        // Mostly well-formed packet headers with wrong bodies: gets past the first byte more often.
        fc
          .tuple(
            fc.integer({ min: 0, max: 15 }),
            fc.integer({ min: 0, max: 15 }),
            fc.uint8Array({ maxLength: 48 }),
          )
          .map(([type, flags, body]) =>
            Uint8Array.from([(type << 4) | flags, ...varint(body.length), ...body]),
          ),
      );
      await fc.assert(
        fc.asyncProperty(bytes, async (b) => {
          const socket = tcpConnect(tb.broker.mqttPort, '127.0.0.1');
          await new Promise<void>((resolve) => {
            socket.on('error', () => resolve());
            socket.on('close', () => resolve());
            socket.on('connect', () => {
              socket.write(login());
              socket.write(b, () => socket.destroy());
            });
          });
          // Every so often, the real device is still served. The harness keeps every broker log line for
          // other tests to wait on: dropped here, so that only the broker's own memory is measured.
          if (++n % 500 === 0) {
            await deviceIsServed(n);
            tb.logs.length = 0;
          }
        }),
        fuzzParams(SOCKET_RUNS),
      );
      await deviceIsServed(n + 1);
      await until(() => tb.broker.stats.connectedClients <= 2, 'fuzz connections were never closed');
      tb.logs.length = 0;
      const heapGrowth = mib() - heapBefore;
      const rssGrowth = process.memoryUsage().rss / 2 ** 20 - rssBefore;
      // Loose bounds (this process also holds the test's own garbage when it cannot force a GC).
      expect(heapGrowth, `heap grew ${heapGrowth.toFixed(1)} MiB`).toBeLessThan(64);
      expect(rssGrowth, `RSS grew ${rssGrowth.toFixed(1)} MiB`).toBeLessThan(256);
    },
    fuzzTimeout(6_000),
  );
});
