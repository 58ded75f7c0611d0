// The embedded MQTT broker (issue 3): aedes on TCP, WebSocket and TLS, guarded by a policy, hardened
// against floods, and with an in-process tap so the engine in the same process needs no network hop.
import { PassThrough } from 'node:stream';
import { Aedes, type AedesOptions, type AedesPublishPacket } from 'aedes';
import { type Logger, pino } from 'pino';
import { Guard } from './guard.js';
import { listen } from './listeners.js';
import type { BrokerPolicy } from './policy.js';
import { type RefusalReason, Refusals } from './refusals.js';
import { openRetainedStore } from './retained-store.js';

export interface BrokerOptions {
  policy: BrokerPolicy;
  /** Default 0.0.0.0 (devices connect from the network); tests pass 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  mqttPort: number;
  wsPort?: number;
  /** PEM certificate and key (contents, not paths). */
  tls?: { cert: string | Buffer; key: string | Buffer; port: number };
  /** docs/contract.md §2: 16 KiB. */
  maxPayloadBytes?: number;
  /** Sustained publishes per second per device or anonymous client; 0 turns the limit off. Default 50. */
  publishRatePerClient?: number;
  /** Publishes a client may send at once above the rate. Default 200. */
  publishBurst?: number;
  /** A client offering at least twice its rate for this many seconds in a row is disconnected. Default 5. */
  floodDisconnectAfterS?: number;
  /** Failed logins per minute per client address and per username before further attempts are refused. */
  loginFailuresPerMinute?: number;
  /** A connection that has not completed its CONNECT within this is closed (half-open sockets). */
  connectTimeoutMs?: number;
  /** Keep retained messages in `<dataDir>/retained.sqlite` across restarts; in memory only without it. */
  dataDir?: string;
  logger?: Logger;
}

export interface BrokerStats {
  readonly refusals: Readonly<Record<RefusalReason, number>>;
  readonly connectedClients: number;
  /** Authorised publishes from clients (devices, services, wills). */
  readonly messagesIn: number;
  /** QoS 1/2 publishes held back to their client's rate (delivered late, not refused). */
  readonly publishesPaced: number;
  /** Clients disconnected for flooding far over their publish rate. */
  readonly floodDisconnects: number;
}

export type PublishListener = (topic: string, payload: Buffer, clientId: string) => void;

export interface BrokerHandle {
  readonly mqttPort: number;
  readonly wsPort?: number;
  readonly tlsPort?: number;
  readonly aedes: Aedes;
  readonly stats: BrokerStats;
  /** Every authorised publish from a client, in process, as it is routed. Returns the unsubscribe. */
  onPublish(listener: PublishListener): () => void;
  /** Publish as the broker itself (e.g. the engine's retained indicators): trusted, not checked. */
  publish(
    topic: string,
    payload: Buffer | string,
    opts?: { retain?: boolean; qos?: 0 | 1 | 2 },
  ): Promise<void>;
  /** Drop the retained messages `reason` names a reason for (broker/retained-store.ts); how many. */
  purgeRetained(reason: (topic: string) => string | undefined): number;
  close(): Promise<void>;
}

export const BROKER_DEFAULTS = {
  host: '0.0.0.0',
  maxPayloadBytes: 16 * 1024,
  publishRatePerClient: 50,
  publishBurst: 200,
  floodDisconnectAfterS: 5,
  loginFailuresPerMinute: 10,
  // aedes waits 30 s; a device on a slow link connects in well under 10, and a socket that opens and says
  // nothing (or half a CONNECT) should not hold a connection slot for half a minute.
  connectTimeoutMs: 10_000,
} as const;

const AEDES_OPTIONS: AedesOptions = {
  // THE FLOOD FIX (docs/broker.md, "The flood crash"). With a concurrency limit, mqemitter queues
  // messages once that many are in flight and drains the queue from its `released` callback, which calls
  // `_do` for the next message synchronously; a message nobody subscribes to completes synchronously and
  // calls `released` again. Under a flood the queue (refilled by each client's nextBatch on the way) is
  // drained by one unbounded recursion: RangeError, broker dead. With 0 there is no queue, hence no
  // recursion; in-flight work stays bounded by aedes' per-client read batches.
  concurrency: 0,
  // A subscriber whose socket stays full holds every publisher feeding it (aedes waits for the drain):
  // 10 s instead of 60 s before such a subscriber is cut off.
  drainTimeout: 10_000,
};

export async function startBroker(opts: BrokerOptions): Promise<BrokerHandle> {
  const log = (opts.logger ?? pino({ name: 'citygauge' }, pino.destination(2))).child({
    component: 'broker',
  });
  const o = { ...BROKER_DEFAULTS, ...definedOnly(opts) };
  const refusals = new Refusals(log);
  const guard = new Guard(
    opts.policy,
    {
      maxPayloadBytes: o.maxPayloadBytes,
      publishRate:
        o.publishRatePerClient > 0
          ? {
              perSecond: o.publishRatePerClient,
              burst: o.publishBurst,
              floodDisconnectAfterS: o.floodDisconnectAfterS,
            }
          : undefined,
      loginFailuresPerMinute: o.loginFailuresPerMinute,
    },
    refusals,
    log,
  );
  const retained = opts.dataDir ? openRetainedStore(opts.dataDir, log) : undefined;
  if (retained) log.info({ topics: retained.loaded }, 'retained messages loaded');
  const aedes = await Aedes.createBroker({
    ...AEDES_OPTIONS,
    connectTimeout: o.connectTimeoutMs,
    ...guard.hooks(),
    ...(retained ? { persistence: retained.persistence } : {}),
  });
  // Dies early, not at the first device, if aedes' internals the gate relies on have changed.
  const probe = aedes.handle(new PassThrough());
  guard.attach(probe, 'self-check');
  probe.close(); // also clears its connect timer, which would hold the process until it fires

  const listeners = new Set<PublishListener>();
  let messagesIn = 0;
  // A subscriber inside aedes' own router: called as each message is routed, before network subscribers'
  // deferred writes, and completing synchronously so it never holds a publisher back.
  aedes.subscribe(
    '#',
    (packet: AedesPublishPacket, done: () => void) => {
      const clientId = (packet as { clientId?: string }).clientId;
      // Only client publishes (and their wills) carry a client id; the broker's own and $SYS do not.
      if (clientId !== undefined) {
        messagesIn++;
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        for (const listener of listeners) {
          try {
            listener(packet.topic, payload, clientId);
          } catch (err) {
            log.error({ err, topic: packet.topic }, 'an in-process publish listener threw');
          }
        }
      }
      done();
    },
    () => {},
  );

  if (opts.policy.allowsAnonymous) {
    log.warn(
      { event: 'anonymous-allowed' },
      '!!! ANONYMOUS ACCESS IS ON: anyone who can reach this broker may connect, publish and subscribe ' +
        'to anything. For development only. !!!',
    );
  }

  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(
      (conn, address, req) => {
        const client = aedes.handle(conn, req);
        guard.attach(client, address);
      },
      {
        host: o.host,
        mqttPort: opts.mqttPort,
        wsPort: opts.wsPort,
        tls: opts.tls,
        // Only a memory bound: some clients send several MQTT packets in one WebSocket message, and the
        // gate enforces the packet limit itself.
        maxWsMessageBytes: 4 * o.maxPayloadBytes + 4096,
        onServerError: (err) => log.error({ err }, 'a broker listener failed'),
      },
    );
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    retained?.close();
    guard.close();
    refusals.close();
    throw err;
  }

  const stats: BrokerStats = {
    refusals: refusals.counts,
    get connectedClients() {
      return (aedes as unknown as { connectedClients: number }).connectedClients;
    },
    get messagesIn() {
      return messagesIn;
    },
    get publishesPaced() {
      return guard.publishesPaced;
    },
    get floodDisconnects() {
      return guard.floodDisconnects;
    },
  };

  let closing: Promise<void> | undefined;
  return {
    mqttPort: listening.mqttPort,
    wsPort: listening.wsPort,
    tlsPort: listening.tlsPort,
    aedes,
    stats,
    onPublish(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    purgeRetained: (reason) => retained?.purge(reason) ?? 0,
    publish(topic, payload, { retain = false, qos = 0 } = {}) {
      const packet = {
        cmd: 'publish' as const,
        topic,
        payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        qos,
        retain,
        dup: false,
      };
      return new Promise((resolve, reject) =>
        aedes.publish(packet, (err) => (err ? reject(err) : resolve())),
      );
    },
    close() {
      closing ??= (async () => {
        listeners.clear();
        // Sockets first: aedes waits for each client to close, and a client whose peer vanished
        // mid-session (a pulled cable) may never finish closing on its own.
        await listening.close();
        const closed = await Promise.race([
          new Promise<boolean>((resolve) => aedes.close(() => resolve(true))),
          new Promise<boolean>((resolve) => setTimeout(resolve, 3000, false).unref()),
        ]);
        if (!closed) log.warn('the broker did not close within 3 s; stopping anyway');
        retained?.close();
        guard.close();
        refusals.close();
      })();
      return closing;
    },
  };
}

/** Options explicitly set to undefined must not override the defaults. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
