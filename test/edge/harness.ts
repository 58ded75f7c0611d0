// A bare aedes broker on a free loopback port for the edge tests, which can be taken down (listener closed,
// every client socket destroyed, as a crash or a cut link would) and brought back on the same port. The
// aedes instance, and so the sessions of persistent subscribers, survives the outage.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';

export interface TestBroker {
  url: string;
  port: number;
  aedes: Aedes;
  /** Close the listener and destroy every client socket. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startBroker(): Promise<TestBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        aedes.handle(socket);
      });
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        port = (srv.address() as { port: number }).port;
        server = srv;
        resolve();
      });
    });
  const down = async () => {
    const srv = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
  };
  await listen();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    aedes,
    down,
    up: listen,
    close: async () => {
      await down();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

export interface Received {
  topic: string;
  payload: Record<string, unknown>;
  retain: boolean;
}

/** A subscriber that records every message and lets a test wait for the one it expects. */
export class Recorder {
  readonly messages: Received[] = [];
  private waiters: { match: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];

  private constructor(private readonly closeSource: () => Promise<void>) {}

  /** An MQTT client subscribed to `filter` at QoS 1. */
  static async connect(url: string, filter: string): Promise<Recorder> {
    const client = await mqtt.connectAsync(url, {
      clientId: `recorder-${Math.random().toString(16).slice(2)}`,
    });
    const recorder = new Recorder(() => client.endAsync(true));
    client.on('message', (topic, buf, packet) => recorder.record(topic, buf, packet.retain));
    await client.subscribeAsync(filter, { qos: 1 });
    return recorder;
  }

  /**
   * A subscriber inside the broker process: it sees every message the broker accepts, in order, and is not
   * cut off when the broker's sockets are — the outage tests judge the device, not a subscriber's reconnect.
   */
  static inside(aedes: Aedes, filter: string): Promise<Recorder> {
    const deliver = (
      packet: { topic: string; payload: Buffer | string; retain: boolean },
      done: () => void,
    ) => {
      recorder.record(packet.topic, Buffer.from(packet.payload), packet.retain);
      done();
    };
    const recorder = new Recorder(
      () => new Promise((resolve) => aedes.unsubscribe(filter, deliver, resolve)),
    );
    return new Promise((resolve) => aedes.subscribe(filter, deliver, () => resolve(recorder)));
  }

  private record(topic: string, buf: Buffer, retain: boolean): void {
    const m = { topic, payload: JSON.parse(buf.toString()) as Record<string, unknown>, retain };
    this.messages.push(m);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  /** The first message, already received or still to come, that matches; rejects after `timeoutMs`. */
  waitFor(match: (m: Received) => boolean, timeoutMs = 10_000, what = 'a message'): Promise<Received> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  close(): Promise<void> {
    return this.closeSource();
  }
}

/** Resolves when `emitter` emits `event`, rejects after `timeoutMs`. */
export function once(
  emitter: { once(event: string, f: () => void): unknown },
  event: string,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
