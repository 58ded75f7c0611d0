// What moves the numerators: a device's condition bits and a route's freshness, turned into ± deltas.
// Every input to the numerators passes here, so it is also the one place a cluster shard taps to publish
// what its partition contributes, and the one place a cluster's merge feeds what the shards published:
// the merge then holds the very same numerators as one process would (cluster/merge.ts).
import { type CityModel, MAINTENANCE } from './city-model.js';
import type { IndicatorState } from './indicator-state.js';

/** Hears every change that reaches the numerators, with its exact time. */
export interface ContributionTap {
  /** Device d's condition bits became `mask` (they were `old`). */
  device(d: number, old: number, mask: number, t: number): void;
  /** Route r started (+1) or stopped (−1) counting for event coverage e. */
  route(e: number, r: number, delta: 1 | -1, t: number): void;
}

export class Contributions {
  readonly taps: ContributionTap[] = [];
  /** Per coverage indicator: how many devices cover each asset (an asset counts while ≥ 1). */
  private readonly cover: Int32Array[];
  /** Per coverage indicator: how many of each asset's covering devices are in maintenance. */
  private readonly maintenance: Int32Array[];
  /** Per (event coverage e, route r) at e × routes + r: how many sources hold the route fresh. */
  private readonly fresh: Int32Array;
  private readonly routes: number;

  constructor(
    private readonly model: CityModel,
    private readonly indicators: IndicatorState,
  ) {
    this.cover = model.coverWeight.map((w) => new Int32Array(w ? w.length : 0));
    this.maintenance = model.coverWeight.map((w) => new Int32Array(w ? w.length : 0));
    this.routes = model.assets.route.ids.length;
    this.fresh = new Int32Array(model.eventCoverages.length * this.routes);
  }

  device(d: number, old: number, mask: number, t: number): void {
    const m = this.model;
    const wasIn = (old & MAINTENANCE) !== 0;
    const isIn = (mask & MAINTENANCE) !== 0;
    for (const { indicator, required, cover, operational } of m.profiles[m.profile[d]]) {
      const wasMet = (old & required) === required;
      const isMet = (mask & required) === required;
      if (!cover) {
        if (operational) {
          // Operational shares leave a device in maintenance out of numerator and denominator alike.
          const delta = +(isMet && !isIn) - +(wasMet && !wasIn);
          const excluded = +isIn - +wasIn;
          if (delta !== 0 || excluded !== 0) this.indicators.bump(indicator, m.scope[d], delta, t, excluded);
          continue;
        }
        if (wasMet !== isMet) this.indicators.bump(indicator, m.scope[d], isMet ? 1 : -1, t);
        // ISO shares keep their definition and say how much of their gap is planned.
        const planned = +(isIn && !isMet) - +(wasIn && !wasMet);
        if (planned !== 0) this.indicators.plan(indicator, m.scope[d], planned);
        continue;
      }
      if (wasMet === isMet && wasIn === isIn) continue;
      // An asset counts once however many devices cover it: only 0 ↔ 1 moves the numerator.
      const a = m.asset[d];
      const counts = this.cover[indicator];
      const inMaintenance = this.maintenance[indicator];
      const before = counts[a];
      const maintBefore = inMaintenance[a];
      counts[a] = before + (+isMet - +wasMet);
      inMaintenance[a] = maintBefore + (+isIn - +wasIn);
      const weight = m.coverWeight[indicator]![a];
      if (weight === 0) continue;
      const scope = m.coverScope[indicator]![a];
      if ((before === 0) !== (counts[a] === 0))
        this.indicators.bump(indicator, scope, before === 0 ? weight : -weight, t);
      // An uncovered asset is a planned gap while one of its devices is in maintenance.
      const planned = +(counts[a] === 0 && inMaintenance[a] > 0) - +(before === 0 && maintBefore > 0);
      if (planned !== 0) this.indicators.plan(indicator, scope, planned * weight);
    }
    const taps = this.taps;
    for (let i = 0; i < taps.length; i++) taps[i].device(d, old, mask, t);
  }

  /** How many sources hold route r fresh for event coverage e. */
  freshCount(e: number, r: number): number {
    return this.fresh[e * this.routes + r];
  }

  /** One source (a process, or a cluster partition) holds route r fresh (+1) or no longer (−1). */
  route(e: number, r: number, delta: 1 | -1, t: number): void {
    const i = e * this.routes + r;
    const before = this.fresh[i];
    this.fresh[i] = before + delta;
    if (before === 0 || before + delta === 0) {
      const { indicator } = this.model.eventCoverages[e];
      this.indicators.bump(indicator, this.model.assets.route.scope[r], delta, t);
    }
    const taps = this.taps;
    for (let j = 0; j < taps.length; j++) taps[j].route(e, r, delta, t);
  }
}
