// One partition's part of a replay: its lines of the recording through its engine, its contributions and
// its marks at the requested instants out to the merge. The same in a worker thread and in one thread.
import type { Inbound } from '../engine/inbound.js';
import type { BadLine } from '../engine/recording.js';
import type { RejectionReason } from '../engine/rejections.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import type { PartitionMark } from './merge.js';
import { PartitionEngine } from './partition-engine.js';
import { RecordingSplit } from './recording-split.js';

export interface PartitionOutput {
  /** Contributions in time order; nothing later will be earlier than `watermark`. */
  events(events: Float64Array, watermark: number): void;
  mark(mark: PartitionMark): void;
  badLine?(bad: BadLine): void;
  ingested?(msg: Inbound, outcome: RejectionReason | undefined): void;
}

/** Contributions are handed on in batches of about this many events. */
const BATCH = 8192;

export class PartitionReplay {
  private readonly engine: PartitionEngine;
  private readonly split: RecordingSplit;
  private next = 0;

  /** @param ats the instants to mark, ascending */
  constructor(
    inventory: Inventory,
    catalogue: readonly IndicatorDef[],
    partitionOf: ReadonlyMap<string, number>,
    partitions: number,
    partition: number,
    private readonly ats: readonly number[],
    private readonly out: PartitionOutput,
  ) {
    this.engine = new PartitionEngine(inventory, catalogue, partitionOf, partition);
    this.split = new RecordingSplit(partition, partitions, partitionOf);
  }

  line(text: string): void {
    this.take(this.split.line(text));
  }

  /** A line as bytes, `buf[start, end)` without its newline: another partition's is never decoded. */
  lineBytes(buf: Buffer, start: number, end: number): void {
    this.take(this.split.lineBytes(buf, start, end));
  }

  private take(got: Inbound | BadLine | undefined): void {
    if (got === undefined) return;
    if (!('topic' in got)) {
      this.out.badLine?.(got);
      return;
    }
    // docs/contract.md §5: the state at T holds every line up to the first one later than T.
    const at = this.split.now;
    while (this.next < this.ats.length && this.ats[this.next] < at) this.markNext();
    const outcome = this.engine.ingest(got, at);
    this.out.ingested?.(got, outcome);
    if (this.engine.pending >= BATCH) this.out.events(this.engine.take(), this.engine.watermark);
  }

  /** The recording is over: mark the instants after its last line. */
  end(): void {
    while (this.next < this.ats.length) this.markNext();
  }

  private markNext(): void {
    const mark = this.engine.mark(this.ats[this.next++]);
    this.out.events(this.engine.take(), this.engine.watermark);
    this.out.mark(mark);
  }
}
