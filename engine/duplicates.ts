// docs/contract.md §3: a message whose device, channel and seq repeat one accepted in the previous 10 minutes is a
// QoS 1 redelivery. Accepted (stream, seq, time) entries sit in one time-ordered ring, each linked to the
// previous entry of its stream (device × channel). A seq above the stream's highest — nearly every
// message, since seq increases — is new without a search; only a lower one walks its stream's few recent
// entries. Typed arrays throughout: no per-message allocation, memory bounded by 10 minutes of traffic.

export const DUPLICATE_WINDOW_MS = 10 * 60_000;

export class DuplicateFilter {
  /**
   * Per stream, side by side so one memory read fetches both (a large city's streams do not fit the
   * processor's caches): at 2·stream the highest seq accepted, -1 before the first; at 2·stream + 1 the
   * absolute ring index of the stream's newest entry, -1 for none.
   */
  private readonly streams: Float64Array;
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
    this.streams = new Float64Array(2 * streams).fill(-1);
  }

  /**
   * True when `seq` was accepted on `stream` at most windowMs before `now` (exactly 10 minutes is still a
   * repeat). Otherwise records it as accepted now and returns false.
   */
  isRepeat(stream: number, seq: number, now: number): boolean {
    const cutoff = now - this.windowMs;
    while (this.head < this.tail && this.times[this.head & this.mask] < cutoff) this.head++;
    const at = 2 * stream;
    const streams = this.streams;
    if (seq <= streams[at]) {
      for (let i = streams[at + 1]; i >= this.head; i = this.prev[i & this.mask]) {
        if (this.seqs[i & this.mask] === seq) return true;
      }
    } else {
      streams[at] = seq;
    }
    if (this.tail - this.head > this.mask) this.grow();
    const slot = this.tail & this.mask;
    this.times[slot] = now;
    this.seqs[slot] = seq;
    this.prev[slot] = streams[at + 1];
    streams[at + 1] = this.tail++;
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
    // Links are kept relative to head, so the ring can be rebuilt at any size.
    const relative = (i: number) => (i < this.head ? -1 : i - this.head);
    for (let i = 0; i < live; i++) {
      const slot = (this.head + i) & this.mask;
      entries[i * 3] = this.times[slot];
      entries[i * 3 + 1] = this.seqs[slot];
      entries[i * 3 + 2] = relative(this.prev[slot]);
    }
    const n = this.streams.length / 2;
    const maxSeq = new Float64Array(n);
    const newest = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      maxSeq[s] = this.streams[2 * s];
      newest[s] = relative(this.streams[2 * s + 1]);
    }
    return { maxSeq, newest, entries };
  }

  restore(state: DuplicateState): void {
    const n = this.streams.length / 2;
    if (state.maxSeq.length !== n)
      throw new Error(`duplicate state holds ${state.maxSeq.length} streams, this engine ${n}`);
    for (let s = 0; s < n; s++) {
      this.streams[2 * s] = state.maxSeq[s];
      this.streams[2 * s + 1] = state.newest[s];
    }
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

/**
 * The state for another numbering of the devices (a registry change): old device `o` is new device
 * `toNew[o]` (−1: gone), each with `channels` streams. The entries stay as they are; a gone device's are
 * unreachable and leave the window in time.
 */
export function renumberDuplicates(
  state: DuplicateState,
  toNew: Int32Array,
  devices: number,
  channels: number,
): DuplicateState {
  const maxSeq = new Float64Array(devices * channels).fill(-1);
  const newest = new Float64Array(devices * channels).fill(-1);
  for (let o = 0; o < toNew.length; o++) {
    const d = toNew[o];
    if (d < 0) continue;
    for (let c = 0; c < channels; c++) {
      maxSeq[d * channels + c] = state.maxSeq[o * channels + c];
      newest[d * channels + c] = state.newest[o * channels + c];
    }
  }
  return { maxSeq, newest, entries: state.entries };
}

/** A DuplicateFilter's state: per stream the highest seq and newest entry, and the entries in the window. */
export interface DuplicateState {
  maxSeq: Float64Array;
  newest: Float64Array;
  /** (time, seq, previous entry of the stream or −1) per entry, oldest first. */
  entries: Float64Array;
}
