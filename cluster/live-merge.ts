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
  /** The city was rebuilt on another registry version (every engine hook must follow the new engine). */
  readonly onRebuild: ((inventory: Inventory) => void)[] = [];
  /** The registry version the city stands on, and the mark of the batch that brought it. */
  private version: string | undefined;
  private versionSince = Number.NEGATIVE_INFINITY;
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

  /**
   * A batch in registry version `b.version` needs that version's numbers: `versions` must have it (the API node
   * loads it from the object store first). The city moves to a version when a batch that is later than the
   * one that brought the current version names another: partitions switch at one registry record each, so the
   * latest switch is the registry now.
   */
  add(b: PartialBatch, versions?: ReadonlyMap<string, Inventory>): void {
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
    if (b.version !== undefined && !this.merge.has(b.version)) {
      const inventory = versions?.get(b.version);
      if (!inventory)
        throw new Error(`batch ${b.batch} of partition ${p} is in unknown registry version ${b.version}`);
      this.merge.knows(b.version, inventory);
    }
    if (b.version !== undefined && b.version !== this.version && b.mark.at > this.versionSince) {
      const inventory = versions?.get(b.version);
      if (inventory) {
        this.version = b.version;
        this.versionSince = b.mark.at;
        this.merge.rebuild(inventory, b.version);
        for (const f of this.onRebuild) f(inventory);
      }
    }
    this.last[p] = b.batch;
    this.clock.events(p, b.events, b.watermark, b.version);
    this.clock.mark(p, b.mark);
  }
}
