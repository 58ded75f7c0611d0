// docs/contract.md §4 L1.2.2: a route counts while an arrival forecast for it was received in the last 300 s
// (`withinS` in the catalogue). Same deadline mechanism as device liveness, keyed by route.
import type { CityModel } from './city-model.js';
import type { Contributions } from './contributions.js';
import type { DeadlineQueue } from './deadline-queue.js';

export class RouteFreshness {
  private readonly routes: number;
  /** Per (event coverage e, route r) at e × routes + r: when the route stops counting. */
  private readonly freshUntil: Float64Array;
  private readonly fresh: Uint8Array;
  private readonly queued: Uint8Array;

  /** @param firstId the first deadline-queue id of this component (ids below belong to devices). */
  constructor(
    private readonly model: CityModel,
    private readonly contributions: Contributions,
    private readonly deadlines: DeadlineQueue,
    readonly firstId: number,
  ) {
    this.routes = model.assets.route.ids.length;
    const size = model.eventCoverages.length * this.routes;
    this.freshUntil = new Float64Array(size);
    this.fresh = new Uint8Array(size);
    this.queued = new Uint8Array(size);
  }

  /**
   * A forecast for `route` made at `t`, taken in at `now` (a beacon's is made as it arrives; a GTFS-Realtime
   * feed's at its header time, which may be earlier). It never shortens a freshness already held, and one
   * whose window ended before `now` counts for nothing.
   */
  onArrival(route: number, t: number, now = t): void {
    const m = this.model;
    for (let e = 0; e < m.eventCoverages.length; e++) {
      const { withinMs } = m.eventCoverages[e];
      const i = e * this.routes + route;
      const until = t + withinMs;
      if (until < now) continue;
      if (this.fresh[i] === 0 || until > this.freshUntil[i]) this.freshUntil[i] = until;
      if (this.queued[i] === 0) {
        this.queued[i] = 1;
        this.deadlines.push(this.freshUntil[i], this.firstId + i);
      }
      if (this.fresh[i] === 0) {
        this.fresh[i] = 1;
        this.contributions.route(e, route, 1, now);
      }
    }
  }

  /** Until when route r counts for event coverage e (0 when it does not), to carry over to a rebuilt engine. */
  freshUntilOf(e: number, route: number): number {
    const i = e * this.routes + route;
    return this.fresh[i] ? this.freshUntil[i] : 0;
  }

  restore(e: number, route: number, freshUntil: number, now: number): void {
    if (freshUntil < now) return;
    const i = e * this.routes + route;
    this.freshUntil[i] = freshUntil;
    this.queued[i] = 1;
    this.deadlines.push(freshUntil, this.firstId + i);
    this.fresh[i] = 1;
    this.contributions.route(e, route, 1, now);
  }

  onDeadline(id: number, at: number): void {
    const i = id - this.firstId;
    if (this.freshUntil[i] > at) {
      this.deadlines.push(this.freshUntil[i], id);
      return;
    }
    this.queued[i] = 0;
    this.fresh[i] = 0;
    this.contributions.route(Math.floor(i / this.routes), i % this.routes, -1, at);
  }
}
