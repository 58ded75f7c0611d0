// An API node's merge of the live cluster: every partition's batches, as shards publish them, into one
// city. A batch republished by a shard that took a partition over (the same number, the same content) is
// dropped; a batch that skips a number means the node missed part of the stream, which it reports.
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import { CityMerge, MergeClock, type MergedSnapshot } from './merge.js';
import type { PartialBatch } from './partial-batch.js';

export class BatchGapError extends Error {
  readonly code = 'ERR_BATCH_GAP';
}

export class LiveMerge {
  readonly merge: CityMerge;
  readonly onSnapshot: ((s: MergedSnapshot) => void)[] = [];
  /** Republished batches dropped, per partition. */
  readonly duplicates: number[];
  private readonly clock: MergeClock;
  private readonly last: number[];

  constructor(
    inventory: Inventory,
    catalogue: readonly IndicatorDef[],
    readonly partitions: number,
  ) {
    this.merge = new CityMerge(inventory, catalogue);
    this.clock = new MergeClock(this.merge, partitions, true);
    this.clock.onSnapshot.push((s) => {
      for (const f of this.onSnapshot) f(s);
    });
    this.last = new Array(partitions).fill(0);
    this.duplicates = new Array(partitions).fill(0);
  }

  /** The last batch number applied per partition: where a restarted reader resumes. */
  applied(partition: number): number {
    return this.last[partition];
  }

  add(b: PartialBatch): void {
    const p = b.partition;
    if (!(p >= 0 && p < this.partitions))
      throw new RangeError(`batch of partition ${p}, not of 0–${this.partitions - 1}`);
    if (b.batch <= this.last[p]) {
      this.duplicates[p]++;
      return;
    }
    if (b.batch !== this.last[p] + 1)
      throw new BatchGapError(
        `partition ${p}: batch ${b.batch} follows ${this.last[p]}: read its stream from the start`,
      );
    this.last[p] = b.batch;
    this.clock.events(p, b.events, b.watermark);
    this.clock.mark(p, b.mark);
  }
}
