// History writing in a cluster whose API nodes share one history database (InfluxDB): every node computes the
// same points from the same merge, only the leader writes them. A follower keeps the points of the last
// minutes, and writes them when it becomes leader: what its predecessor wrote of them is written again, which
// changes nothing (a point is keyed by measurement, tags and time, so the same point overwrites itself).
import type { HistoryPoint, HistorySink, SinkStats } from '../engine/sinks/points.js';

/** More than a leader change takes (a lease TTL plus the merge catching up), with room to spare. */
export const HISTORY_KEEP_MS = 5 * 60_000;
/** A bound on memory whatever the traffic: the newest points are kept. */
const MAX_KEPT = 1_000_000;

export class LeaderHistory implements HistorySink {
  private kept: HistoryPoint[] = [];
  /** Points before this index are gone: dropped in place, compacted now and then. */
  private head = 0;
  private leading = false;
  /** Points a follower let go unwritten, as too old or past the bound. */
  dropped = 0;

  constructor(
    private readonly sink: HistorySink,
    private readonly now: () => number = Date.now,
    private readonly keepMs = HISTORY_KEEP_MS,
  ) {}

  write(points: readonly HistoryPoint[]): void {
    if (this.leading) {
      this.sink.write(points);
      return;
    }
    for (const p of points) this.kept.push(p);
    this.prune();
  }

  lead(): void {
    if (this.leading) return;
    this.prune();
    this.leading = true;
    const kept = this.kept.slice(this.head);
    this.kept = [];
    this.head = 0;
    if (kept.length) this.sink.write(kept);
  }

  follow(): void {
    this.leading = false;
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  stats(): SinkStats {
    return this.sink.stats();
  }

  private prune(): void {
    const since = this.now() - this.keepMs;
    const from = this.head;
    this.head = Math.max(this.head, this.kept.length - MAX_KEPT);
    while (this.head < this.kept.length && this.kept[this.head].ts < since) this.head++;
    this.dropped += this.head - from;
    if (this.head > 4096 && this.head * 2 > this.kept.length) {
      this.kept = this.kept.slice(this.head);
      this.head = 0;
    }
  }
}
