// The quality of every (indicator, scope) value at one instant (indicators/quality.ts has the rule): one
// pass over the devices, tallied per group of devices alike (profile and scope), then fanned out to the
// indicators each group feeds. Run per snapshot, not per message: the hot path does not pay for it
// (about 5 ms at 1M devices).
import {
  emptyTally,
  isHeard,
  judgeQuality,
  judgeWeighted,
  type ValueQuality,
} from '../indicators/quality.js';
import { type CityModel, KIND_CODE } from './city-model.js';
import type { DeviceState } from './device-state.js';
import type { IndicatorState } from './indicator-state.js';

interface Expected {
  indicator: number;
  /** Counted in its asset's district (which may be none), not the device's. */
  byAsset: boolean;
}

export class ValueQualities {
  /** Per group: the indicators whose values its devices are expected to report for. */
  private readonly expectedBy: Expected[][] = [];
  /** Per group: the scope its devices are counted in, and the one for indicators counting by asset. */
  private readonly scopeOf: number[] = [];
  private readonly assetScopeOf: number[] = [];
  /** Per device: its group, fixed by the model. */
  private readonly groupOf: Int32Array;
  /** Per indicator: its numerator counts registration alone. */
  private readonly registryOnly: boolean[];

  constructor(private readonly model: CityModel) {
    const m = model;
    const arrivals = m.eventCoverages.map((e) => e.indicator);
    const byProfile = m.profiles.map((memberships) =>
      memberships.map((x): Expected => ({ indicator: x.indicator, byAsset: x.cover })),
    );
    // A profile's devices share kind and asset presence: arrival coverage (L1.2.2) is fed by the transit
    // beacons on its routes.
    const beacon = KIND_CODE['transit-beacon'];
    const withArrivals = new Set<number>();
    for (let d = 0; d < m.profile.length; d++)
      if (m.kind[d] === beacon && m.asset[d] >= 0) withArrivals.add(m.profile[d]);
    for (const p of withArrivals)
      for (const k of arrivals) byProfile[p].push({ indicator: k, byAsset: true });
    const byAssetIndicator = byProfile.map((e) => e.find((x) => x.byAsset)?.indicator ?? -1);

    const groups = new Map<string, number>();
    this.groupOf = new Int32Array(m.profile.length);
    for (let d = 0; d < m.profile.length; d++) {
      const p = m.profile[d];
      const s = m.scope[d];
      const k = byAssetIndicator[p];
      const assetScope = k >= 0 ? m.coverScope[k]![m.asset[d]] : s;
      const key = `${p}|${s}|${assetScope}`;
      let g = groups.get(key);
      if (g === undefined) {
        g = this.expectedBy.length;
        groups.set(key, g);
        this.expectedBy.push(byProfile[p]);
        this.scopeOf.push(s);
        this.assetScopeOf.push(assetScope);
      }
      this.groupOf[d] = g;
    }
    this.registryOnly = m.indicators.map(({ def }) => {
      if (def.kind === 'device-share') return def.numerator.condition === 'registered';
      if (def.kind === 'asset-coverage')
        return 'condition' in def.coveredBy && def.coveredBy.condition === 'registered';
      return false;
    });
  }

  /** Every value's quality at `at`, indexed indicator × scopes + scope as the indicator state is. */
  at(devices: DeviceState, indicators: IndicatorState, at: number): ValueQuality[] {
    const m = this.model;
    const S = m.scopes.length;
    const G = this.expectedBy.length;
    const expected = new Int32Array(G);
    const heard = new Int32Array(G);
    const newest = new Float64Array(G).fill(Number.NEGATIVE_INFINITY);
    const { lastSeen, inMaintenance } = devices;
    const { intervalMs } = m;
    const groupOf = this.groupOf;
    for (let d = 0; d < groupOf.length; d++) {
      if (inMaintenance[d] === 1) continue;
      const g = groupOf[d];
      expected[g]++;
      const seen = lastSeen[d];
      if (isHeard(seen, intervalMs[d], at)) heard[g]++;
      if (seen <= at && seen > newest[g]) newest[g] = seen;
    }
    const tallies = Array.from({ length: m.indicators.length * S }, emptyTally);
    const add = (i: number, g: number) => {
      const into = tallies[i];
      into.expected += expected[g];
      into.heard += heard[g];
      if (newest[g] > into.newestAt) into.newestAt = newest[g];
    };
    for (let g = 0; g < G; g++) {
      if (expected[g] === 0 && newest[g] === Number.NEGATIVE_INFINITY) continue;
      for (const { indicator, byAsset } of this.expectedBy[g]) {
        const scope = byAsset ? this.assetScopeOf[g] : this.scopeOf[g];
        add(indicator * S, g);
        if (scope > 0) add(indicator * S + scope, g);
      }
    }
    const out: ValueQuality[] = new Array(tallies.length);
    m.indicators.forEach((c, k) => {
      for (let s = 0; s < S; s++) {
        const i = k * S + s;
        const hasValue = indicators.valueOf(k, s) !== null;
        if (c.type === 'ratio') {
          out[i] = judgeQuality(tallies[i], at, hasValue, this.registryOnly[k]);
          continue;
        }
        const parts = c.parts.map((x) => ({
          id: m.indicators[x.indicator].def.id,
          tally: tallies[x.indicator * S + s],
          quality: out[x.indicator * S + s],
        }));
        const judged = judgeWeighted(parts, at, hasValue);
        tallies[i] = judged.tally;
        out[i] = judged.quality;
      }
    });
    return out;
  }
}
