// A partition as a shard runs it live: the records of its log (device messages stamped by a front door,
// clock ticks) through its engine, a batch of contributions cut at every mark, and a checkpoint that lets
// any shard continue it. Marks fall on a fixed grid (every 500 ms by default) and are placed by the log's
// own times, so the batches a partition yields depend only on its log: whoever runs it, from whichever
// checkpoint, yields the same.
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import type { LogRecord } from './log-record.js';
import type { PartialBatch } from './partial-batch.js';
import { restoreCheckpoint, saveCheckpoint } from './partition-checkpoint.js';
import { PartitionEngine } from './partition-engine.js';

export const DEFAULT_GRID_MS = 500;

/** A checkpoint and where it stands: after log record `seq` and batch `batch`, at the mark `at`. */
export interface RunnerCheckpoint {
  state: Uint8Array;
  seq: number;
  batch: number;
  at: number;
}

export class PartitionRunner {
  engine: PartitionEngine;
  /** The log sequence of the last record applied; 0 before the first. */
  seq = 0;
  /** Batches yielded so far. */
  batch = 0;
  /** The last grid instant marked, or NaN before the first record. */
  private lastMark = Number.NaN;
  private checkpointDue = false;
  private ready: RunnerCheckpoint | undefined;

  /**
   * @param version the registry version `inventory` is (cluster/inventory-version.ts): every batch names the
   * version its device and route numbers belong to (none: the merge's own, as in a replay)
   */
  constructor(
    inventory: Inventory,
    private readonly catalogue: readonly IndicatorDef[],
    partitionOf: ReadonlyMap<string, number>,
    readonly partition: number,
    readonly gridMs = DEFAULT_GRID_MS,
    checkpoint?: Uint8Array,
    public version?: string,
  ) {
    this.engine = new PartitionEngine(inventory, catalogue, partitionOf, partition);
    if (checkpoint) {
      const extra = restoreCheckpoint(this.engine, checkpoint);
      this.seq = Number(extra.seq ?? 0);
      this.batch = Number(extra.batch ?? 0);
      this.lastMark = Number(extra.lastMark ?? Number.NaN);
    }
  }

  /**
   * The registry record at log position `seq`: the batch so far is cut at its time (in the old version's
   * numbers), and the partition goes on in `version`, every device's state carried over by id. Off the grid,
   * that mark only joins its segment to the next one in the merge.
   */
  switchTo(
    seq: number,
    at: number,
    version: string,
    inventory: Inventory,
    partitionOf: ReadonlyMap<string, number>,
  ): PartialBatch[] {
    if (seq <= this.seq) return [];
    const out = this.apply(seq, { kind: 'tick', at });
    if (version === this.version) return out;
    if (!Number.isNaN(this.lastMark)) out.push(this.cut(Math.max(at, this.engine.watermark)));
    const state = saveCheckpoint(this.engine);
    this.engine = new PartitionEngine(inventory, this.catalogue, partitionOf, this.partition);
    restoreCheckpoint(this.engine, state);
    this.version = version;
    return out;
  }

  /** Apply the record at log position `seq`; returns the batches its time closes (often none). */
  apply(seq: number, record: LogRecord): PartialBatch[] {
    if (seq <= this.seq) return []; // a redelivery of what the checkpoint already holds
    const t = record.kind === 'message' ? record.receivedAt : record.at;
    const out: PartialBatch[] = [];
    if (Number.isNaN(this.lastMark)) this.lastMark = Math.floor(t / this.gridMs) * this.gridMs;
    // As in replay: the state at a mark holds every record up to the first one later than it.
    const at = Math.max(t, this.engine.watermark);
    while (this.lastMark + this.gridMs < at) {
      this.lastMark += this.gridMs;
      out.push(this.markAt(this.lastMark));
    }
    if (record.kind === 'message') {
      this.engine.ingest(
        { receivedAt: record.receivedAt, topic: record.topic, payload: Buffer.from(record.payload) },
        at,
      );
    } else {
      this.engine.engine.tickTo(at);
    }
    this.seq = seq;
    return out;
  }

  /**
   * Ask for a checkpoint at the next mark (exact only there, with no contribution waiting); `takeCheckpoint`
   * hands it over. Store it only once the batches up to it are published: a successor resumes after them.
   */
  requestCheckpoint(): void {
    this.checkpointDue = true;
  }

  takeCheckpoint(): RunnerCheckpoint | undefined {
    const c = this.ready;
    this.ready = undefined;
    return c;
  }

  private markAt(at: number): PartialBatch {
    const batch = this.cut(at);
    if (this.checkpointDue) {
      this.checkpointDue = false;
      const state = saveCheckpoint(this.engine, {
        seq: this.seq,
        batch: this.batch,
        lastMark: at,
        ...(this.version === undefined ? {} : { version: this.version }),
      });
      this.ready = { state, seq: this.seq, batch: this.batch, at };
    }
    return batch;
  }

  private cut(at: number): PartialBatch {
    return {
      partition: this.partition,
      batch: ++this.batch,
      seq: this.seq,
      watermark: this.engine.watermark,
      mark: this.engine.mark(at),
      ...(this.version === undefined ? {} : { version: this.version }),
      events: this.engine.take(),
    };
  }
}
