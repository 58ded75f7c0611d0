// The engine's state machine: admission, device liveness, route freshness and indicator state driven
// by one clock that only moves forward. It never reads a clock itself: time arrives with each input,
// which is what makes replay deterministic and lets live and replay share every line (see pipeline.ts).
import type { IndicatorDef } from '../indicators/definition.js';
import { windowMs } from '../indicators/formula.js';
import type { ValueQuality } from '../indicators/quality.js';
import type { Inventory } from '../registry/inventory.js';
import type { MaintenanceWindow } from '../registry/maintenance-windows.js';
import { Admission } from './admission.js';
import { type CityModel, compileCityModel } from './city-model.js';
import { Contributions } from './contributions.js';
import { DeadlineQueue } from './deadline-queue.js';
import { DeviceState } from './device-state.js';
import type { ArrivalForecasts } from './forecasts.js';
import type { Inbound } from './inbound.js';
import { IndicatorState } from './indicator-state.js';
import { MaintenanceSchedule } from './maintenance.js';
import type { CameraStatusPayload } from './payloads.js';
import { type RejectionCounts, type RejectionReason, zeroCounts } from './rejections.js';
import { RouteFreshness } from './route-freshness.js';
import { ValueQualities } from './value-quality.js';

export interface IndicatorValue {
  id: string;
  scope: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  means: Record<string, number | null>;
  /** Operational (`availability.*`) shares: the devices in maintenance left out of numerator and denominator. */
  excluded?: { maintenance: number };
  /** ISO/IEC 30146 ratios: how much of the gap (denominator − numerator) is in maintenance, in their units. */
  plannedGap?: number;
  /** How sure the value is: coverage, staleness and a flag (indicators/quality.ts); one process only, not a cluster. */
  quality?: ValueQuality;
}

export interface Snapshot {
  at: number;
  indicators: IndicatorValue[];
  rejected: RejectionCounts;
  accepted: number;
}

/** Values are reported to 9 decimal places: enough for any dashboard, and no 99.99999999999999. */
const round = (x: number | null) => (x === null ? null : Math.round(x * 1e9) / 1e9);

export class CityEngine {
  /** The inventory the model was compiled from (replaced, never mutated, by the registry): records by id. */
  readonly inventory: Inventory;
  readonly model: CityModel;
  readonly rejected: RejectionCounts = zeroCounts();
  accepted = 0;
  /** The engine clock (epoch ms); -Infinity before the first input. */
  now = Number.NEGATIVE_INFINITY;
  /** When the last snapshot was taken: a device change at that instant came after its values (history). */
  lastSnapshotAt = Number.NEGATIVE_INFINITY;
  /** Receive time of the first input: the means cover only what follows it. */
  origin: number | undefined;

  readonly indicators: IndicatorState;
  /** Every change that moves a numerator passes here (a cluster shard taps it). */
  readonly contributions: Contributions;
  readonly devices: DeviceState;
  readonly routes: RouteFreshness;
  readonly admission: Admission;
  /** The maintenance windows and which devices they cover now. */
  readonly maintenance: MaintenanceSchedule;
  private readonly deadlines = new DeadlineQueue();
  private readonly windows: MeanWindow[];
  private readonly qualities: ValueQualities;

  constructor(inventory: Inventory, catalogue: readonly IndicatorDef[]) {
    this.windows = meanWindows(inventory);
    const keepMs = Math.max(0, ...this.windows.map((w) => w.ms));
    this.inventory = inventory;
    this.model = compileCityModel(inventory, catalogue);
    this.indicators = new IndicatorState(this.model, keepMs);
    this.contributions = new Contributions(this.model, this.indicators);
    this.devices = new DeviceState(this.model, this.contributions, this.deadlines);
    this.routes = new RouteFreshness(
      this.model,
      this.contributions,
      this.deadlines,
      this.model.deviceIds.length,
    );
    this.admission = new Admission(this.model);
    this.maintenance = new MaintenanceSchedule(this.model, inventory);
    this.qualities = new ValueQualities(this.model);
  }

  /** Replace the maintenance windows: coverage as of the engine clock now, later edges at their instants. */
  setMaintenance(windows: readonly MaintenanceWindow[]): void {
    const t = this.now;
    for (const d of this.maintenance.set(windows, t)) {
      this.devices.setMaintenance(d, this.maintenance.inMaintenance(d), Number.isFinite(t) ? t : 0);
    }
  }

  /** Apply one received message; returns the rejection reason, or undefined when it was accepted. */
  ingest(msg: Inbound): RejectionReason | undefined {
    this.advanceTo(msg.receivedAt);
    const admitted = this.admission.admit(msg);
    if (typeof admitted === 'string') {
      this.rejected[admitted]++;
      return admitted;
    }
    this.accepted++;
    const t = this.now;
    const status = admitted.channel === 'status' ? (admitted.payload as CameraStatusPayload) : undefined;
    this.devices.onMessage(admitted.device, t, status);
    if (admitted.route >= 0) this.routes.onArrival(admitted.route, t);
    return undefined;
  }

  /**
   * Apply one source's arrival forecasts (a GTFS-Realtime poll) at their receive time. A forecast made
   * after the engine clock counts as made now; a route the registry no longer has is skipped (the feed's
   * reader refuses unknown routes before they get here). Returns how many of its routes the registry has.
   */
  forecast(batch: ArrivalForecasts): number {
    this.advanceTo(batch.receivedAt);
    const t = this.now;
    const index = this.model.assets.route.index;
    let counted = 0;
    for (const f of batch.forecasts) {
      const route = index.get(f.routeId);
      if (route === undefined) continue;
      this.routes.onArrival(route, Math.min(f.at, t), t);
      counted++;
    }
    return counted;
  }

  /**
   * Move the clock to `t` (never back), letting every deadline before it lapse in time order.
   * docs/contract.md §3: a device last heard exactly 3 × interval ago is still online, so only deadlines < t lapse.
   */
  advanceTo(t: number): void {
    if (this.origin === undefined) {
      this.origin = t;
      this.indicators.startRecording(t);
    }
    if (t <= this.now) return;
    const q = this.deadlines;
    const firstRouteId = this.routes.firstId;
    const windows = this.maintenance;
    for (;;) {
      const at = q.peekDeadline();
      const edge = windows.nextAt();
      // A deadline lapses strictly before t; a window opens or closes at t itself (start ≤ t < end). At a tie
      // the window goes first: a device falling silent as its window opens is never down, even for 0 ms.
      if (at < t && at < edge) {
        const id = q.pop();
        if (id < firstRouteId) this.devices.onDeadline(id, at);
        else this.routes.onDeadline(id, at);
      } else if (edge <= t) {
        for (const d of windows.applyNext()) this.devices.setMaintenance(d, windows.inMaintenance(d), edge);
      } else break;
    }
    this.now = t;
  }

  /** A tick: the clock moves to `at` as for a snapshot there, which (unlike an input) starts no means. */
  tickTo(at: number): void {
    if (at <= this.now) return;
    if (this.origin !== undefined) {
      this.advanceTo(at);
      return;
    }
    // Before any input no deadline is queued, but windows still open and close at their instants.
    const windows = this.maintenance;
    for (let edge = windows.nextAt(); edge <= at; edge = windows.nextAt()) {
      for (const d of windows.applyNext()) this.devices.setMaintenance(d, windows.inMaintenance(d), edge);
    }
    this.now = at;
  }

  /** Every indicator for the city and each district at `at` (default: now), with its window means and quality. */
  snapshot(at: number = this.now): Snapshot {
    this.tickTo(at);
    this.lastSnapshotAt = at;
    const values = indicatorValues(this.model, this.indicators, this.windows, this.origin, at);
    const quality = this.qualities.at(this.devices, this.indicators, at);
    for (let i = 0; i < values.length; i++) values[i].quality = quality[i];
    return {
      at,
      indicators: values,
      rejected: { ...this.rejected },
      accepted: this.accepted,
    };
  }
}

export interface MeanWindow {
  name: string;
  ms: number;
}

/** The city's mean windows (`"1h"` → 3,600,000 ms), in the order city.json gives them. */
export const meanWindows = (inventory: Inventory): MeanWindow[] =>
  inventory.city.windows.map((name) => ({ name, ms: windowMs(name) }));

/**
 * Every indicator for the city and each district at `at`, with its window means (null before `origin`,
 * the first input). Shared by one process and by a cluster's merge, so both read their state alike.
 */
export function indicatorValues(
  model: CityModel,
  indicators: IndicatorState,
  windows: readonly MeanWindow[],
  origin: number | undefined,
  at: number,
  /** Only this indicator (a recompute): the others are not worth their window means. */
  only?: number,
): IndicatorValue[] {
  const S = model.scopes.length;
  const out: IndicatorValue[] = [];
  model.indicators.forEach((c, k) => {
    if (only !== undefined && k !== only) return;
    const scale = c.type === 'ratio' ? c.scale : 1;
    for (let s = 0; s < S; s++) {
      const i = k * S + s;
      const means: Record<string, number | null> = {};
      for (const w of windows) {
        means[w.name] = origin === undefined ? null : round(indicators.series[i].meanOver(at - w.ms, at));
      }
      const value: IndicatorValue = {
        id: c.def.id,
        scope: model.scopes[s],
        value: round(indicators.valueOf(k, s)),
        numerator: c.type === 'ratio' ? indicators.numerator[i] / scale : null,
        denominator: c.type === 'ratio' ? (model.denominator[i] - indicators.excluded[i]) / scale : null,
        means,
      };
      if (c.type === 'ratio') {
        if (c.operational) value.excluded = { maintenance: indicators.excluded[i] };
        else value.plannedGap = round(indicators.plannedGap[i] / scale)!;
      }
      out.push(value);
    }
  });
  return out;
}
