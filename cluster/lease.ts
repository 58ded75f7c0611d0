// Leases on a NATS KV bucket (issue 11 items 4 and 5): who owns a partition, who is the API leader. A lease
// is a key whose value names its owner; the bucket's max age is the TTL, so a key nobody rewrites vanishes
// TTL after its last write. Every write is a compare-and-set on the key's revision, replicated through
// JetStream's Raft, so two contenders can never both think they acquired or renewed the same lease.
import { EventEmitter } from 'node:events';
import type { KV, NatsConnection, NatsError } from 'nats';
import type { Logger } from 'pino';
import { clusterReplicas } from './nats-connection.js';

const WRONG_LAST_SEQUENCE = 10071;
export const LEASE_BUCKET = 'citygauge-leases';

/** A lease this process holds: its revision is what the next renew must match. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly revision: number;
}

export interface LeaseHolder {
  readonly owner: string;
  readonly revision: number;
}

/** A renew or release found the lease gone or taken: the caller must stop acting as its owner at once. */
export class LeaseLostError extends Error {
  readonly code = 'ERR_LEASE_LOST';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Leases {
  private constructor(
    private readonly kv: KV,
    readonly ttlMs: number,
  ) {}

  /**
   * Opens (or creates) the lease bucket. Every node must use the same TTL: it belongs to the bucket, and a
   * bucket opened with another TTL is refused rather than silently changed under the other holders.
   */
  static async open(
    nc: NatsConnection,
    options: { ttlMs: number /** Default: min(3, cluster size). */; replicas?: number; bucket?: string },
  ): Promise<Leases> {
    const bucket = options.bucket ?? LEASE_BUCKET;
    const js = nc.jetstream();
    const kv = await js.views.kv(bucket, {
      ttl: options.ttlMs,
      history: 1,
      replicas: options.replicas ?? clusterReplicas(nc),
    });
    const actual = (await kv.status()).ttl;
    if (actual !== options.ttlMs) {
      throw new Error(
        `lease bucket ${bucket} has a TTL of ${actual} ms, not ${options.ttlMs}: start every node with the same lease TTL`,
      );
    }
    return new Leases(kv, options.ttlMs);
  }

  /** Takes the lease if nobody holds it (never held, released, or expired); null when someone does. */
  async tryAcquire(name: string, owner: string): Promise<Lease | null> {
    try {
      const revision = await this.kv.create(name, encoder.encode(owner));
      return { name, owner, revision };
    } catch (err) {
      if ((err as NatsError).api_error?.err_code === WRONG_LAST_SEQUENCE) return null;
      throw err;
    }
  }

  /**
   * Extends the lease by a TTL from now, only if it is still the revision we wrote last. If it expired or
   * someone else took it, this throws LeaseLostError: a lost lease is never silently kept.
   */
  async renew(lease: Lease): Promise<Lease> {
    try {
      const revision = await this.kv.update(lease.name, encoder.encode(lease.owner), lease.revision);
      return { ...lease, revision };
    } catch (err) {
      if ((err as NatsError).api_error?.err_code === WRONG_LAST_SEQUENCE) {
        const now = await this.holder(lease.name).catch(() => null);
        // Still ours under a later revision: an earlier renew was stored but its answer lost (a node died
        // mid-request). Renew again on that revision, a fresh write the caller's send time bounds.
        if (now?.owner === lease.owner && now.revision > lease.revision)
          return this.renew({ ...lease, revision: now.revision });
        throw new LeaseLostError(
          `lease ${lease.name} is no longer ${lease.owner}'s: ${now ? `${now.owner} holds it` : 'it expired'}`,
        );
      }
      throw err;
    }
  }

  /** Gives the lease up so another contender need not wait for the TTL; a lease already lost is left alone. */
  async release(lease: Lease): Promise<void> {
    try {
      await this.kv.delete(lease.name, { previousSeq: lease.revision });
    } catch (err) {
      if ((err as NatsError).api_error?.err_code !== WRONG_LAST_SEQUENCE) throw err;
    }
  }

  /** How many leases named `<prefix>.…` are held now (a shard's presence is one). */
  async count(prefix: string): Promise<number> {
    let n = 0;
    for await (const _ of await this.kv.keys(`${prefix}.>`)) n++;
    return n;
  }

  /** Who holds the lease now, or null when nobody does; read from any replica, so it may lag a write a moment. */
  async holder(name: string): Promise<LeaseHolder | null> {
    const entry = await this.kv.get(name);
    if (entry?.operation !== 'PUT') return null;
    return { owner: decoder.decode(entry.value), revision: entry.revision };
  }
}

export interface LeaseKeeperEvents {
  acquired: [lease: Lease];
  lost: [reason: string];
}

/**
 * Contends for one lease and keeps it: tries to acquire every third of the TTL while another holds it, renews
 * every third of the TTL while it holds it. Expiry makes no KV event, so contenders poll.
 *
 * Self-fencing: the holder counts its lease lost once a TTL minus a safety margin has passed since it *sent*
 * its last successful renew, even when JetStream cannot be reached to tell it so. The server stamps the
 * renew after it was sent, so the server's expiry always comes later than ours: a holder cut off from the
 * cluster stops acting as owner before anyone else can acquire.
 */
export class LeaseKeeper extends EventEmitter<LeaseKeeperEvents> {
  private lease: Lease | null = null;
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private fence: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly periodMs: number;
  private readonly marginMs: number;

  /**
   * @param wants asked before each attempt to acquire: a shard that holds its share of partitions lets the
   * others have the rest
   */
  constructor(
    private readonly leases: Leases,
    readonly name: string,
    readonly owner: string,
    private readonly logger?: Logger,
    private readonly wants: () => boolean = () => true,
  ) {
    super();
    this.periodMs = Math.max(50, Math.floor(leases.ttlMs / 3));
    this.marginMs = Math.max(50, Math.floor(leases.ttlMs / 10));
  }

  get held(): boolean {
    return this.lease !== null && Date.now() < this.validUntil;
  }

  start(): this {
    this.schedule(0);
    return this;
  }

  /** Gives a held lease up at once, and goes on contending (when it `wants`): rebalancing. */
  async giveUp(): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    this.lease = null;
    clearTimeout(this.fence);
    this.emit('lost', 'given up to rebalance');
    await this.leases.release(lease).catch(() => {});
  }

  /**
   * Stops contending; releases the lease if held so a successor need not wait for the TTL. Waits for a renew
   * or acquire in flight first: its answer carries the revision a release must name.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    clearTimeout(this.fence);
    const lease = this.lease;
    this.lease = null;
    if (lease && options.release !== false) await this.leases.release(lease).catch(() => {});
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const sentAt = Date.now();
    try {
      const held = this.lease;
      if (held) {
        const renewed = await this.leases.renew(held);
        if (this.lease === held) {
          this.lease = renewed;
          if (!this.stopped) this.extend(sentAt);
        } else {
          // Fenced (or stopped) while the renew was in flight: we already told everyone it is lost, so give it up.
          await this.leases.release(renewed).catch(() => {});
        }
      } else if (this.wants()) {
        const lease = await this.leases.tryAcquire(this.name, this.owner);
        if (lease && this.stopped)
          this.lease = lease; // stop() releases it
        else if (lease) {
          this.lease = lease;
          this.extend(sentAt);
          this.emit('acquired', lease);
        }
      }
    } catch (err) {
      if (err instanceof LeaseLostError) this.lose(err.message);
      else
        this.logger?.warn(
          { lease: this.name, err: (err as Error).message },
          'lease request failed; retrying',
        );
    }
    this.schedule(this.periodMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick();
    }, delayMs);
  }

  private extend(sentAt: number): void {
    this.validUntil = sentAt + this.leases.ttlMs - this.marginMs;
    clearTimeout(this.fence);
    this.fence = setTimeout(
      () => this.lose(`lease ${this.name} not renewed within its TTL (cluster unreachable?)`),
      this.validUntil - Date.now(),
    );
  }

  private lose(reason: string): void {
    if (!this.lease) return;
    this.lease = null;
    clearTimeout(this.fence);
    this.logger?.warn({ lease: this.name, owner: this.owner, reason }, 'lease lost');
    this.emit('lost', reason);
  }
}
