// A piecewise-constant value over time and its time-weighted mean over a window (docs/contract.md §4): the
// integral of the value over the window divided by the part of the window it was defined (non-null) for.
// Change points are kept with running integrals, so a mean costs one binary search; points older than the
// longest window are dropped as time moves on, so memory follows the number of changes per window.
// The kept points depend only on the value at the end of each instant, never on the order of the changes
// within one instant: a value that moves and comes back at the same t leaves no point, and old points are
// dropped only when an instant is over. That is what lets a cluster's merge, which sees one instant's
// changes in another order, keep the very same series as one process (cluster/merge.ts).

export class StepSeries {
  private times: number[] = [];
  /** NaN stands for null (undefined value: an empty denominator). */
  private values: number[] = [];
  /** ∫ value dt from the first kept point up to times[i] (value·ms), over defined stretches only. */
  private integral: number[] = [];
  /** Defined time from the first kept point up to times[i] (ms). */
  private defined: number[] = [];
  private head = 0;

  /** @param keepMs how far back means are asked for: the longest window. */
  constructor(private readonly keepMs: number) {}

  /** The value becomes `value` at `t`; t never goes back (a later point at the same t replaces the value). */
  set(t: number, value: number | null): void {
    const v = value ?? Number.NaN;
    const n = this.times.length;
    if (n === 0) {
      this.append(t, v, 0, 0);
      return;
    }
    let last = n - 1;
    const lastT = this.times[last];
    if (t <= lastT) {
      this.values[last] = v;
      // Back where the instant started: the point says nothing.
      if (last > this.head && same(v, this.values[last - 1])) this.pop();
      return;
    }
    // The instant lastT is over: its point is final, and what it makes unreachable can go.
    this.prune(lastT - this.keepMs);
    last = this.times.length - 1;
    const lastV = this.values[last];
    if (same(v, lastV)) return;
    const dt = t - this.times[last];
    const isDefined = !Number.isNaN(lastV);
    this.append(
      t,
      v,
      this.integral[last] + (isDefined ? lastV * dt : 0),
      this.defined[last] + (isDefined ? dt : 0),
    );
  }

  /** Time-weighted mean over [from, to], counting only time after the first point; null if never defined. */
  meanOver(from: number, to: number): number | null {
    if (this.times.length === this.head) return null;
    const start = Math.max(from, this.times[this.head]);
    if (to <= start) return null;
    const i = this.indexAt(start);
    const j = this.indexAt(to);
    const definedMs = this.definedUpTo(j, to) - this.definedUpTo(i, start);
    if (definedMs <= 0) return null;
    return (this.integralUpTo(j, to) - this.integralUpTo(i, start)) / definedMs;
  }

  /** How many ms of [from, to] the value was defined (non-null), counting only time after the first point. */
  definedOver(from: number, to: number): number {
    if (this.times.length === this.head) return 0;
    const start = Math.max(from, this.times[this.head]);
    if (to <= start) return 0;
    return this.definedUpTo(this.indexAt(to), to) - this.definedUpTo(this.indexAt(start), start);
  }

  /** Number of change points held (for memory accounting and tests). */
  get size(): number {
    return this.times.length - this.head;
  }

  private append(t: number, v: number, integral: number, defined: number): void {
    this.times.push(t);
    this.values.push(v);
    this.integral.push(integral);
    this.defined.push(defined);
  }

  private pop(): void {
    this.times.pop();
    this.values.pop();
    this.integral.pop();
    this.defined.pop();
  }

  private integralUpTo(i: number, x: number): number {
    const v = this.values[i];
    return this.integral[i] + (!Number.isNaN(v) ? v * (x - this.times[i]) : 0);
  }

  private definedUpTo(i: number, x: number): number {
    return this.defined[i] + (!Number.isNaN(this.values[i]) ? x - this.times[i] : 0);
  }

  /** The last kept point at or before x (x ≥ the first kept time). */
  private indexAt(x: number): number {
    const last = this.times.length - 1;
    if (this.times[last] <= x) return last;
    let lo = this.head;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.times[mid] <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Drop points wholly before `before`, keeping the one in force at `before`. */
  private prune(before: number): void {
    const last = this.times.length - 1;
    while (this.head < last && this.times[this.head + 1] <= before) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) this.compact();
  }

  /** Reclaim dropped points and rebase the running integrals so they stay small and precise. */
  private compact(): void {
    const h = this.head;
    const baseIntegral = this.integral[h];
    const baseDefined = this.defined[h];
    this.times = this.times.slice(h);
    this.values = this.values.slice(h);
    this.integral = this.integral.slice(h).map((x) => x - baseIntegral);
    this.defined = this.defined.slice(h).map((x) => x - baseDefined);
    this.head = 0;
  }
}

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));
