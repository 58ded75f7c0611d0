// CONTRACT §3: a message whose device, channel and seq repeat one accepted in the previous 10 minutes is a
// QoS 1 redelivery. Accepted (stream, seq, time) entries sit in one time-ordered ring, each linked to the
// previous entry of its stream (device × channel). A seq above the stream's highest — nearly every
// message, since seq increases — is new without a search; only a lower one walks its stream's few recent
// entries. Typed arrays throughout: no per-message allocation, memory bounded by 10 minutes of traffic.

export const DUPLICATE_WINDOW_MS = 10 * 60_000;

export class DuplicateFilter {
  /** Highest seq accepted per stream, -1 before the first. */
  private readonly maxSeq: Float64Array;
  /** Absolute ring index of each stream's newest entry, -1 for none. */
  private readonly newest: Float64Array;
  private times = new Float64Array(4096);
  private seqs = new Float64Array(4096);
  private prev = new Float64Array(4096);
  private mask = 4095;
  /** Absolute indices: entries head .. tail-1 are within the window. */
  private head = 0;
  private tail = 0;

  constructor(
    streams: number,
    private readonly windowMs = DUPLICATE_WINDOW_MS,
  ) {
    this.maxSeq = new Float64Array(streams).fill(-1);
    this.newest = new Float64Array(streams).fill(-1);
  }

  /**
   * True when `seq` was accepted on `stream` at most windowMs before `now` (exactly 10 minutes is still a
   * repeat). Otherwise records it as accepted now and returns false.
   */
  isRepeat(stream: number, seq: number, now: number): boolean {
    const cutoff = now - this.windowMs;
    while (this.head < this.tail && this.times[this.head & this.mask] < cutoff) this.head++;
    if (seq <= this.maxSeq[stream]) {
      for (let i = this.newest[stream]; i >= this.head; i = this.prev[i & this.mask]) {
        if (this.seqs[i & this.mask] === seq) return true;
      }
    } else {
      this.maxSeq[stream] = seq;
    }
    if (this.tail - this.head > this.mask) this.grow();
    const slot = this.tail & this.mask;
    this.times[slot] = now;
    this.seqs[slot] = seq;
    this.prev[slot] = this.newest[stream];
    this.newest[stream] = this.tail++;
    return false;
  }

  /** Entries held: accepted messages with a seq in the last window. */
  get size(): number {
    return this.tail - this.head;
  }

  /** The whole state, for a cluster shard's checkpoint: restoring it gives the very same answers. */
  save(): DuplicateState {
    const live = this.tail - this.head;
    const entries = new Float64Array(live * 3);
    for (let i = 0; i < live; i++) {
      const slot = (this.head + i) & this.mask;
      entries[i * 3] = this.times[slot];
      entries[i * 3 + 1] = this.seqs[slot];
      // Links are kept relative to head, so the ring can be rebuilt at any size.
      entries[i * 3 + 2] = this.prev[slot] < this.head ? -1 : this.prev[slot] - this.head;
    }
    const newest = this.newest.map((n) => (n < this.head ? -1 : n - this.head));
    return { maxSeq: this.maxSeq.slice(), newest, entries };
  }

  restore(state: DuplicateState): void {
    if (state.maxSeq.length !== this.maxSeq.length)
      throw new Error(
        `duplicate state holds ${state.maxSeq.length} streams, this engine ${this.maxSeq.length}`,
      );
    this.maxSeq.set(state.maxSeq);
    this.newest.set(state.newest);
    const live = state.entries.length / 3;
    let size = 4096;
    while (size < live + 1) size *= 2;
    this.times = new Float64Array(size);
    this.seqs = new Float64Array(size);
    this.prev = new Float64Array(size);
    this.mask = size - 1;
    for (let i = 0; i < live; i++) {
      this.times[i] = state.entries[i * 3];
      this.seqs[i] = state.entries[i * 3 + 1];
      this.prev[i] = state.entries[i * 3 + 2];
    }
    this.head = 0;
    this.tail = live;
  }

  private grow(): void {
    const mask = this.mask * 2 + 1;
    const times = new Float64Array(mask + 1);
    const seqs = new Float64Array(mask + 1);
    const prev = new Float64Array(mask + 1);
    for (let i = this.head; i < this.tail; i++) {
      times[i & mask] = this.times[i & this.mask];
      seqs[i & mask] = this.seqs[i & this.mask];
      prev[i & mask] = this.prev[i & this.mask];
    }
    this.times = times;
    this.seqs = seqs;
    this.prev = prev;
    this.mask = mask;
  }
}

/** A DuplicateFilter's state: per stream the highest seq and newest entry, and the entries in the window. */
export interface DuplicateState {
  maxSeq: Float64Array;
  newest: Float64Array;
  /** (time, seq, previous entry of the stream or −1) per entry, oldest first. */
  entries: Float64Array;
}
