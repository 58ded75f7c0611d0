// What one partition contributes to the city, as a flat list of timed events a shard hands to the merge:
// four numbers per event, [kind, a, b, t], in time order. A Float64Array of them moves between threads
// without copying and between processes as plain bytes.
import type { ContributionTap } from '../engine/contributions.js';

/**
 * The cluster's numbering of devices and routes: their ids in code-unit order. Every node derives it from the
 * registry alone, whatever order its copy of the registry lists them in.
 */
export function cityOrder(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Device a's condition bits became b (a: the device's place in cityOrder). */
export const DEVICE = 0;
/** Route freshness: a = e × routes + r (r: the route's place in cityOrder), b = +1 or −1. */
export const ROUTE = 1;
/** The partition's first input came at t: the city's means start at the earliest of these. */
export const ORIGIN = 2;
export const EVENT_SIZE = 4;

/** Records a partition engine's contributions, its device indexes turned into the whole city's. */
export class ContributionRecorder implements ContributionTap {
  private buf = new Float64Array(4096);
  private length = 0;

  /**
   * @param toCity the city-wide number of each of the partition engine's devices
   * @param routeToCity the city-wide number of each of its routes (every partition has every route)
   */
  constructor(
    private readonly toCity: Int32Array,
    private readonly routeToCity: Int32Array,
  ) {}

  device(d: number, _old: number, mask: number, t: number): void {
    this.push(DEVICE, this.toCity[d], mask, t);
  }

  route(e: number, r: number, delta: 1 | -1, t: number): void {
    this.push(ROUTE, e * this.routeToCity.length + this.routeToCity[r], delta, t);
  }

  origin(t: number): void {
    this.push(ORIGIN, 0, 0, t);
  }

  /** Events recorded so far. */
  get size(): number {
    return this.length / EVENT_SIZE;
  }

  /** Hand over what was recorded (a fresh array, safe to transfer) and start again. */
  take(): Float64Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }

  private push(kind: number, a: number, b: number, t: number): void {
    if (this.length + EVENT_SIZE > this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    const i = this.length;
    this.buf[i] = kind;
    this.buf[i + 1] = a;
    this.buf[i + 2] = b;
    this.buf[i + 3] = t;
    this.length = i + EVENT_SIZE;
  }
}
