// The broker's guard: enforces the policy and the limits on every connection, through aedes' hooks
// (preConnect, authenticate, authorizePublish, authorizeSubscribe) and the per-connection gate in front
// of aedes' parser, and records every refusal.
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
import { gateConnection, type InboundPublish } from './client-gate.js';
import { LoginThrottle } from './login-throttle.js';
import type { BrokerPolicy, Principal } from './policy.js';
import { PublishRate, type PublishRateLimits } from './publish-rate.js';
import type { RefusalContext, RefusalReason, Refusals } from './refusals.js';

export interface GuardLimits {
  maxPayloadBytes: number;
  /** undefined: no publish rate limit. Service accounts are never limited. */
  publishRate: PublishRateLimits | undefined;
  loginFailuresPerMinute: number;
}

/**
 * Room for the fixed header, topic and packet id on top of the payload limit. Packets beyond
 * payload + this are cut off at the parser; payloads just over the limit are dropped precisely per publish.
 */
export const PACKET_OVERHEAD_ALLOWANCE_BYTES = 1024;

interface ConnectionState {
  readonly address: string;
  principal?: Principal;
  /** The CONNECT had no client id and aedes made one up: it cannot collide with anyone's session. */
  emptyClientId: boolean;
  /** No client id but clean session 0: a session nobody could resume, refused [MQTT-3.1.3-8]. */
  persistentWithoutId: boolean;
  rate?: PublishRate;
  disconnecting: boolean;
}

// MQTT 3.1.1 CONNACK return codes.
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export class Guard {
  /** QoS 1/2 publishes held back to their rate slot (not refusals: they are delivered late, not lost). */
  publishesPaced = 0;
  floodDisconnects = 0;
  private readonly connections = new WeakMap<Client, ConnectionState>();
  private readonly throttle: LoginThrottle;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(
    private readonly policy: BrokerPolicy,
    private readonly limits: GuardLimits,
    private readonly refusals: Refusals,
    private readonly log: Logger,
  ) {
    this.throttle = new LoginThrottle(limits.loginFailuresPerMinute);
    this.pruneTimer = setInterval(() => this.throttle.prune(Date.now()), 60_000);
    this.pruneTimer.unref();
  }

  /** Call with the client aedes.handle() returned, before any I/O: installs the gate on its parser. */
  attach(client: Client, address: string): void {
    const state: ConnectionState = {
      address,
      emptyClientId: false,
      persistentWithoutId: false,
      disconnecting: false,
    };
    this.connections.set(client, state);
    gateConnection(client, {
      maxPacketBytes: this.limits.maxPayloadBytes + PACKET_OVERHEAD_ALLOWANCE_BYTES,
      admitPublish: (packet) => this.admitPublish(client, state, packet),
      onPacketTooLarge: (cmd, bytes) =>
        this.refuse('too-large', client, state, { action: `disconnected: ${cmd} of ${bytes} bytes` }),
    });
  }

  hooks(): Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'> {
    return {
      preConnect: (client, packet, callback) => {
        const state = this.connections.get(client);
        if (state) {
          state.emptyClientId = !packet.clientId;
          state.persistentWithoutId = !packet.clientId && !packet.clean;
        }
        // Refused from authenticate, not here: an error in preConnect closes the socket with no CONNACK.
        callback(null, true);
      },
      authenticate: (client, username, password, done) => {
        const returnCode = this.authenticate(client, username, password);
        if (returnCode === 0) return done(null, true);
        const err = Object.assign(new Error('connection refused'), { returnCode }) as AuthenticateError;
        done(err, false);
      },
      authorizePublish: (client, packet, callback) => this.authorizePublish(client, packet, callback),
      authorizeSubscribe: (client, sub, callback) => {
        const state = this.connections.get(client);
        if (state?.principal && this.policy.canSubscribe(state.principal, sub.topic))
          return callback(null, sub);
        if (state) this.refuse('subscribe-denied', client, state, { topic: sub.topic });
        callback(null, null); // SUBACK 0x80 for this filter; the connection stays
      },
    };
  }

  close(): void {
    clearInterval(this.pruneTimer);
  }

  /** 0 to accept, otherwise the CONNACK return code. */
  private authenticate(client: Client, username: string | undefined, password: Buffer | undefined): number {
    const state = this.connections.get(client);
    if (!state) return SERVER_UNAVAILABLE;
    // [MQTT-3.1.3-8]: a zero-byte client id with CleanSession 0 gets CONNACK 0x02, then the close. aedes
    // would make an id up and keep a session no one can ever resume.
    if (state.persistentWithoutId) {
      this.refuse('bad-client-id', client, state, {
        username,
        action: 'refused: an empty client id needs clean session 1 [MQTT-3.1.3-8]',
      });
      return IDENTIFIER_REJECTED;
    }
    const now = Date.now();
    if (this.throttle.isBlocked(state.address, username, now)) {
      this.refuse('rate-limited-login', client, state, { username });
      return NOT_AUTHORIZED;
    }
    let result: ReturnType<BrokerPolicy['authenticate']>;
    try {
      result = this.policy.authenticate(username, password?.toString('utf8'), state.address);
    } catch (err) {
      this.log.error({ err, clientId: client.id, address: state.address }, 'broker policy failed');
      return SERVER_UNAVAILABLE;
    }
    if (typeof result === 'string') {
      this.throttle.recordFailure(state.address, username, now);
      this.refuse(result, client, state, { username });
      return BAD_USERNAME_OR_PASSWORD;
    }
    // A client id names a session, and a new connection with the same id takes the old one over
    // [MQTT-3.1.4-2]: a device may only use its own, or it could knock the engine or another device off
    // and read its queued messages. `<id>` or `<id>:<anything>`; ':' cannot occur in a device id.
    if (
      result.type === 'device' &&
      !state.emptyClientId &&
      client.id !== result.id &&
      !client.id.startsWith(`${result.id}:`)
    ) {
      this.refuse('bad-client-id', client, state, { username });
      return IDENTIFIER_REJECTED;
    }
    state.principal = result;
    if (result.type !== 'service' && this.limits.publishRate)
      state.rate = new PublishRate(this.limits.publishRate, now);
    this.log.debug({ event: 'connected', clientId: client.id, address: state.address, as: nameOf(result) });
    return 0;
  }

  /** The gate's check, before aedes: refused publishes are dropped and the connection stays. */
  private admitPublish(client: Client, state: ConnectionState, packet: InboundPublish): boolean {
    if (state.disconnecting) return false;
    // Not authenticated yet (pipelined right after CONNECT): aedes queues it and authorizePublish decides.
    if (!state.principal) return true;
    const refusal = this.check(state.principal, packet.topic, packet.payload);
    if (refusal) {
      this.refuse(refusal, client, state, { topic: packet.topic });
      return false;
    }
    if (packet.qos !== 0 || !state.rate) return true;
    const verdict = state.rate.admit(Date.now());
    if (verdict === 'pass') return true;
    this.refuse('rate-limited-publish', client, state, { topic: packet.topic });
    if (verdict === 'disconnect') {
      state.disconnecting = true;
      this.floodDisconnects++;
      this.log.warn(
        { event: 'disconnected', reason: 'publish-flood', clientId: client.id, address: state.address },
        'disconnected a client flooding far over its publish rate',
      );
      client.conn.destroy();
    }
    return false;
  }

  /** aedes' hook: sees wills, and publishes that arrived before authentication finished. */
  private authorizePublish(
    client: Client | null,
    packet: { topic: string; payload: string | Buffer; qos: number },
    callback: (error?: Error | null) => void,
  ): void {
    const state = client ? this.connections.get(client) : undefined;
    // No client: a will left by a broker instance that is gone; nobody is left to authorise it.
    if (!client || !state?.principal) {
      callback(new Error('not authenticated'));
      return;
    }
    const refusal = this.check(state.principal, packet.topic, packet.payload);
    if (refusal) {
      this.refuse(refusal, client, state, {
        topic: packet.topic,
        action: client.closed ? 'will dropped' : 'disconnected',
      });
      callback(new Error(refusal)); // aedes closes the connection
      return;
    }
    if (packet.qos > 0 && state.rate) {
      const holdMs = state.rate.reserve(Date.now());
      if (holdMs > 0) {
        // Held, not refused: the client's batch stays open meanwhile, so aedes reads no more from it.
        this.publishesPaced++;
        setTimeout(callback, holdMs, null).unref();
        return;
      }
    }
    callback(null);
  }

  private check(principal: Principal, topic: string, payload: string | Buffer): RefusalReason | undefined {
    const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (bytes > this.limits.maxPayloadBytes) return 'too-large'; // docs/contract.md §2: at most 16 KiB
    // `$SYS/...` is the broker's own; no client writes there (aedes' default guard, kept).
    if (topic.charCodeAt(0) === 36) return 'publish-denied';
    return this.policy.canPublish(principal, topic) ? undefined : 'publish-denied';
  }

  private refuse(
    reason: RefusalReason,
    client: Client,
    state: ConnectionState,
    extra: Partial<RefusalContext>,
  ): void {
    const ctx: RefusalContext = { clientId: client.id ?? undefined, address: state.address, ...extra };
    if (!ctx.username && state.principal) ctx.username = nameOf(state.principal);
    this.refusals.record(reason, ctx);
  }
}

function nameOf(p: Principal): string {
  return p.type === 'device' ? p.id : p.type === 'service' ? p.name : 'anonymous';
}
