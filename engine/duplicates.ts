// CONTRACT §3: a message whose device, channel and seq repeat one accepted in the previous 10 minutes is a
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
