// A durable read position per consumer and partition, in a replicated NATS KV bucket: for readers of the log
// whose position need not travel with engine state (a shard keeps its position inside its checkpoint
// instead). Saved after the records up to it were handled, so a reader that dies re-reads from its last
// saved position: at least once. Positions only move forward, by compare-and-set, so a late save from a
// reader that was replaced cannot drag a newer position back.
import type { KV, NatsConnection, NatsError } from 'nats';
import { clusterReplicas } from './nats-connection.js';

export const POSITION_BUCKET = 'citygauge-positions';
const WRONG_LAST_SEQUENCE = 10071;
const KEY_PART = /^[A-Za-z0-9_-]+$/;

export class LogPositions {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, options: { replicas?: number } = {}): Promise<LogPositions> {
    const kv = await nc
      .jetstream()
      .views.kv(POSITION_BUCKET, { history: 1, replicas: options.replicas ?? clusterReplicas(nc) });
    return new LogPositions(kv);
  }

  /** The last saved position, 0 (read from the start) when none was saved. */
  async load(consumer: string, partition: number): Promise<number> {
    const entry = await this.kv.get(key(consumer, partition));
    return entry?.operation === 'PUT' ? Number(entry.string()) : 0;
  }

  /** Moves the position forward to `seq`; a save behind the stored position is ignored. Returns the stored one. */
  async save(consumer: string, partition: number, seq: number): Promise<number> {
    if (!Number.isSafeInteger(seq) || seq < 0)
      throw new RangeError(`a log position is a sequence ≥ 0, got ${seq}`);
    const k = key(consumer, partition);
    for (;;) {
      const entry = await this.kv.get(k);
      const current = entry?.operation === 'PUT' ? Number(entry.string()) : 0;
      if (seq <= current) return current;
      const value = new TextEncoder().encode(String(seq));
      try {
        if (entry) await this.kv.update(k, value, entry.revision);
        else await this.kv.create(k, value);
        return seq;
      } catch (err) {
        // Another save got in between: look again.
        if ((err as NatsError).api_error?.err_code !== WRONG_LAST_SEQUENCE) throw err;
      }
    }
  }
}

function key(consumer: string, partition: number): string {
  if (!KEY_PART.test(consumer))
    throw new RangeError(`consumer name '${consumer}' may hold only letters, digits, _ and -`);
  if (!Number.isInteger(partition) || partition < 0)
    throw new RangeError(`partition ${partition} is not a partition number`);
  return `${consumer}.${partition}`;
}
