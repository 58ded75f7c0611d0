// A device's connection to the city's broker on MQTT.js (docs/contract.md §2–3): its credentials, a Last Will
// offline, a retained `status` online on every (re)connect, heartbeats, and QoS 1 publishing through the
// on-disk outbox, so readings taken while the broker is unreachable are delivered on reconnect, in order.
// One connection may report for other devices too (a CCTV gateway for its cameras): each of them has its
// own status and heartbeats on its own topics.
//
// Redelivery is the outbox's (delivery.ts); reconnects are the agent's, with jittered backoff (backoff.ts).
// Given several brokers (front doors of one city), a failed attempt moves on to the next one, and so does a
// dropped connection that was not healthy; what the old one never acknowledged goes again, from the outbox,
// through the new one.
import { EventEmitter } from 'node:events';
import mqtt from 'mqtt';
import { type BackoffOptions, reconnectDelayMs } from './backoff.js';
import { brokerList } from './brokers.js';
import { Delivery } from './delivery.js';
import { Heartbeats } from './heartbeats.js';
import { type EdgeLogger, silentLogger } from './logger.js';

export type { EdgeLogger } from './logger.js';

import { Outbox, type OutboxOptions } from './outbox.js';
import { deviceSession, type SessionOptions } from './session.js';
import { type Channel, type DeviceKind, type DeviceRef, MAX_PAYLOAD_BYTES, topicOf } from './wire.js';

export interface DeviceAgentOptions extends SessionOptions {
  /** The broker, or several to fail over between, in order; each entry may be a comma-separated list. */
  url: string | readonly string[];
  deviceId: string;
  kind: DeviceKind;
  token: string;
  /** The expected interval (docs/contract.md §1): the heartbeat period. */
  intervalS: number;
  outboxDir: string;
  /** The device's clock for `ts` (epoch ms); timers always run on real time. */
  now?: () => number;
  logger?: EdgeLogger;
  outbox?: OutboxOptions;
  reconnect?: BackoffOptions;
  /** QoS 1 messages sent before waiting for their PUBACKs; default 32. */
  maxInflight?: number;
}

export interface AgentStats {
  connects: number;
  /** PUBLISH packets handed to the connection, resends included. */
  published: number;
  acked: number;
  /** Refused by the broker in a PUBACK (MQTT 5): dropped, since resending cannot help. */
  refused: number;
  pending: number;
  dropped: number;
}

export class PayloadTooLargeError extends Error {
  readonly code = 'ERR_PAYLOAD_TOO_LARGE';
}

/** A device this connection speaks for, with the extra fields of its status (a camera's video, shared). */
interface Reported {
  ref: DeviceRef;
  up: boolean;
  fields: Record<string, unknown>;
}

type Events = { connect: []; close: []; acked: [seq: number]; drained: [] };

export class DeviceAgent extends EventEmitter<Events> {
  readonly deviceId: string;
  readonly kind: DeviceKind;
  protected readonly outbox: Outbox;
  protected readonly log: EdgeLogger;
  private readonly reported = new Map<string, Reported>();
  private readonly heartbeats: Heartbeats;
  private readonly now: () => number;
  private readonly delivery: Delivery;
  private client: mqtt.MqttClient | undefined;
  private readonly brokers: string[];
  /** The broker in use, or being tried: an index into `brokers`. */
  private brokerIndex = 0;
  private connected = false;
  private stopping = false;
  /** Reconnect attempts since the last healthy connection: the backoff grows with them. */
  private attempt = 0;
  /** The next attempt goes to the next broker (the last one failed, or its connection was not healthy). */
  private moveOn = false;
  /** Acknowledgements seen when the current connection came up. */
  private settledAtConnect = 0;
  /** Held offline (a simulated outage) until this real time; 0 = reconnect as soon as backoff allows. */
  private holdUntil = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connects = 0;

  constructor(private readonly options: DeviceAgentOptions) {
    super();
    this.deviceId = options.deviceId;
    this.kind = options.kind;
    this.log = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.brokers = brokerList(options.url);
    this.heartbeats = new Heartbeats(
      options.intervalS * 1000,
      () => [...this.reported.values()].filter((d) => d.up).map((d) => d.ref.id),
      (id) =>
        this.safely('heartbeat', () => this.publish('heartbeat', {}, { device: this.reported.get(id)!.ref })),
    );
    // Opened now, so readings taken before the first connection are kept too.
    this.outbox = Outbox.open(options.outboxDir, options.outbox);
    this.delivery = new Delivery(this.outbox, options.maxInflight ?? 32, {
      sent: (entry) => this.heartbeats.sent(entry.topic.split('/')[2]),
      settled: (seq, refusal) => {
        if (refusal)
          this.log.warn({ device: this.deviceId, seq, err: refusal.message }, 'broker refused a message');
        this.emit('acked', seq);
        if (this.outbox.size === 0) this.emit('drained');
      },
      failed: (what, err) =>
        this.log.error({ device: this.deviceId, err: (err as Error).message }, `${what} not stored`),
    });
    this.reported.set(this.deviceId, { ref: { kind: this.kind, id: this.deviceId }, up: true, fields: {} });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** The broker this agent is connected to, or trying next. */
  get broker(): string {
    return this.brokers[this.brokerIndex];
  }

  get stats(): AgentStats {
    const { published, acked, refused } = this.delivery;
    return {
      connects: this.connects,
      published,
      acked,
      refused,
      pending: this.outbox.size,
      dropped: this.outbox.dropped,
    };
  }

  /** Connect (and keep reconnecting until `stop`). */
  start(): this {
    if (this.client || this.stopping) return this;
    this.open();
    return this;
  }

  /**
   * A new MQTT.js client for the current broker; the previous one, closed already, is let go. A client per
   * broker rather than MQTT.js's `servers` rotation: that one keeps the first host's TLS server name for
   * every host and drops a ws:// path, and nothing of a client outlives its connection here (delivery.ts).
   */
  private open(): void {
    const { deviceId, token, kind } = this.options;
    const previous = this.client;
    const client = mqtt.connect(this.broker, deviceSession({ kind, id: deviceId }, token, this.options));
    // A late event of a client already let go changes nothing.
    client.on('connect', () => client === this.client && this.onConnect());
    client.on('close', () => client === this.client && this.onClose());
    client.on('error', (err) => this.onError(err));
    this.client = client;
    previous?.end(true);
    client.connect();
  }

  /**
   * Stamp `ts` and `seq` on `fields`, keep the message in the outbox and send it (QoS 1) when connected.
   * `device` publishes for another device this connection reports for. Returns the seq.
   */
  publish(channel: Channel, fields: object, opts: { retain?: boolean; device?: DeviceRef } = {}): number {
    const ref = opts.device ?? { kind: this.kind, id: this.deviceId };
    const ts = this.now();
    const entry = this.outbox.append(
      topicOf(ref, channel),
      (seq) => {
        const payload = JSON.stringify({ ...fields, ts, seq });
        if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
          throw new PayloadTooLargeError(
            `${channel} of ${ref.id} is over 16 KiB (docs/contract.md §2): not sent`,
          );
        }
        return payload;
      },
      opts.retain ?? false,
    );
    if (this.connected) this.heartbeats.sent(ref.id);
    this.delivery.pump();
    return entry.seq;
  }

  /** Resolves true once nothing is pending, false when `timeoutMs` passes first. */
  drained(timeoutMs = 10_000): Promise<boolean> {
    if (this.outbox.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.off('drained', onDrained);
        resolve(ok);
      };
      const onDrained = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on('drained', onDrained);
    });
  }

  /**
   * Drop the connection without a DISCONNECT, as a power cut or a pulled cable would, so the broker publishes
   * the Last Will. Comes back after `offlineMs`, or after the usual backoff.
   */
  interrupt(offlineMs = 0): void {
    this.holdUntil = offlineMs > 0 ? Date.now() + offlineMs : 0;
    this.client?.stream?.destroy();
  }

  /** Go offline politely for `offlineMs`: status offline, DISCONNECT (so no Last Will), then back. */
  async pause(offlineMs: number, timeoutMs = 5000): Promise<void> {
    this.holdUntil = Date.now() + offlineMs;
    if (!this.connected) return; // already away: the pending reconnect waits for holdUntil
    await this.sayOffline(timeoutMs);
    this.client?.end(this.delivery.inflightCount > 0);
  }

  /** Stop for good. `graceful` says offline first and disconnects cleanly; otherwise the Last Will fires. */
  async stop({
    graceful = true,
    timeoutMs = 5000,
  }: {
    graceful?: boolean;
    timeoutMs?: number;
  } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    this.heartbeats.stop();
    const client = this.client;
    if (client) {
      if (graceful) await this.sayOffline(timeoutMs);
      // A clean DISCONNECT only when nothing is left in flight: MQTT.js would wait for those PUBACKs forever.
      const force = !graceful || !this.connected || this.delivery.inflightCount > 0;
      await new Promise<void>((resolve) => client.end(force, {}, () => resolve()));
    }
    this.outbox.close();
  }

  /** Another device this connection speaks for (a gateway's camera), up or not, with its status fields. */
  protected addReported(ref: DeviceRef, fields: Record<string, unknown> = {}, up = true): void {
    this.reported.set(ref.id, { ref, up, fields });
  }

  /** Change what a device's status says and publish the new status (retained). */
  protected updateReported(id: string, change: { up?: boolean; fields?: Record<string, unknown> }): void {
    const d = this.reported.get(id);
    if (!d) return;
    d.up = change.up ?? d.up;
    d.fields = { ...d.fields, ...change.fields };
    this.publishStatus(d, d.up ? 'online' : 'offline');
    if (this.connected) this.heartbeats.start();
  }

  protected reportedFields(id: string): Record<string, unknown> | undefined {
    return this.reported.get(id)?.fields;
  }

  private publishStatus(d: Reported, state: 'online' | 'offline'): void {
    this.safely('status', () =>
      this.publish('status', { state, ...d.fields }, { retain: true, device: d.ref }),
    );
  }

  private async sayOffline(timeoutMs: number): Promise<void> {
    if (!this.connected) return;
    for (const d of this.reported.values()) if (d.up) this.publishStatus(d, 'offline');
    await this.drained(timeoutMs);
  }

  private onConnect(): void {
    this.connected = true;
    this.settledAtConnect = this.delivery.acked + this.delivery.refused;
    this.connects++;
    this.log.debug({ device: this.deviceId, broker: this.broker, pending: this.outbox.size }, 'connected');
    // docs/contract.md §2: a retained online status on every (re)connect replaces the Last Will's offline.
    for (const d of this.reported.values()) if (d.up) this.publishStatus(d, 'online');
    this.delivery.connected(this.client!);
    if (this.connected) this.heartbeats.start();
    this.emit('connect');
  }

  private onClose(): void {
    const wasConnected = this.connected;
    // Healthy: the broker acknowledged what it was sent, or nothing waited for it. A front door that takes
    // connections but cannot acknowledge (its log is down) is not, and the device moves on from it.
    const healthy =
      wasConnected &&
      (this.delivery.acked + this.delivery.refused > this.settledAtConnect ||
        this.delivery.inflightCount === 0);
    this.connected = false;
    this.heartbeats.stop();
    this.delivery.disconnected();
    if (wasConnected) this.emit('close');
    if (this.stopping) return;
    if (healthy) this.attempt = 0;
    // A healthy connection that dropped (a blip) goes back to the same broker first: had the device moved
    // on, that broker would publish its Last Will only when its keep-alive ran out, after the device said
    // online elsewhere; coming back, the takeover [MQTT-3.1.4-2] publishes the Will first.
    this.moveOn = !healthy;
    // The wait grows once per round over all brokers, so a dead front door costs short waits, not doublings.
    const round = Math.floor(this.attempt++ / this.brokers.length);
    this.scheduleReconnect(reconnectDelayMs(round, this.options.reconnect));
  }

  private scheduleReconnect(delayMs: number): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.stopping) return;
      const heldMs = this.holdUntil - Date.now();
      if (heldMs > 0) return this.scheduleReconnect(heldMs);
      if (this.brokers.length === 1 || !this.moveOn) return this.client?.reconnect();
      const from = this.broker;
      this.brokerIndex = (this.brokerIndex + 1) % this.brokers.length;
      this.log.debug({ device: this.deviceId, from, to: this.broker }, 'trying the next broker');
      this.open();
    }, delayMs);
  }

  private onError(err: Error & { code?: unknown }): void {
    // CONNACK 4/5 (MQTT 3.1.1) or 0x86/0x87 (MQTT 5): the broker refused the credentials.
    const refused = [4, 5, 0x86, 0x87].includes(err.code as number);
    if (refused)
      this.log.warn({ device: this.deviceId, err: err.message }, 'broker refused the token: rotate it');
    else this.log.debug({ device: this.deviceId, err: err.message }, 'connection error');
  }

  /** Messages the agent sends on its own must not take the process down when the disk fails. */
  private safely(what: string, f: () => unknown): void {
    try {
      f();
    } catch (err) {
      this.log.error({ device: this.deviceId, err: (err as Error).message }, `${what} not stored`);
    }
  }
}
