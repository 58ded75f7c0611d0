// Which devices are in maintenance, and when that changes (issue 14 item 2; the rule is in docs/indicators.md).
// A window covers the devices it names (a gateway's cameras with it), the devices attached to the assets it
// names and the devices of the districts it names; a device is in maintenance at t while some window covering
// it has start ≤ t < end. The windows become edges (+1 at start, −1 at end) the engine's clock applies
// exactly at their instants, as it lets liveness deadlines lapse.
import type { Inventory } from '../registry/inventory.js';
import { inEffect, type MaintenanceWindow } from '../registry/maintenance-windows.js';
import type { CityModel } from './city-model.js';

interface Edge {
  at: number;
  delta: 1 | -1;
  devices: Int32Array;
}

export class MaintenanceSchedule {
  /** The windows in effect (cancelled ones dropped), as last set. */
  windows: readonly MaintenanceWindow[] = [];
  /** How many windows cover each device now; in maintenance while > 0. */
  readonly covering: Int32Array;
  /** Moves at every set() and every edge applied: what depends on the windows open now is stale once it does. */
  version = 0;
  private edges: Edge[] = [];
  private next = 0;
  private byAsset: Map<string, number[]> | undefined;

  constructor(
    private readonly model: CityModel,
    private readonly inventory: Inventory,
  ) {
    this.covering = new Int32Array(model.deviceIds.length);
  }

  /** The devices window `w` covers, each once. */
  devicesOf(w: Pick<MaintenanceWindow, 'devices' | 'assets' | 'districts'>): Int32Array {
    const m = this.model;
    const out = new Set<number>();
    for (const id of w.devices) {
      const d = m.deviceIndex.get(id);
      if (d === undefined) continue;
      out.add(d);
      // Work on a gateway darkens the cameras behind it: they are in maintenance with it.
      for (let i = m.camerasStart[d]; i < m.camerasStart[d + 1]; i++) out.add(m.camerasOf[i]);
    }
    if (w.assets.length) {
      const byAsset = this.assetIndex();
      for (const a of w.assets) for (const d of byAsset.get(a) ?? []) out.add(d);
    }
    if (w.districts.length) {
      const wanted = new Set(w.districts);
      for (let d = 0; d < m.deviceIds.length; d++) {
        if (m.scope[d] > 0 && wanted.has(m.scopes[m.scope[d]])) out.add(d);
      }
    }
    return Int32Array.from(out);
  }

  /**
   * Replace the windows at `now`: the coverage becomes what it is at `now` (windows with start ≤ now < end)
   * and the later edges wait. Returns the devices whose in-maintenance state changed.
   */
  set(windows: readonly MaintenanceWindow[], now: number): number[] {
    this.windows = inEffect(windows);
    const covering = new Int32Array(this.covering.length);
    const edges: Edge[] = [];
    for (const w of this.windows) {
      if (w.end <= now) continue;
      const devices = this.devicesOf(w);
      if (w.start <= now) for (const d of devices) covering[d]++;
      else edges.push({ at: w.start, delta: 1, devices });
      edges.push({ at: w.end, delta: -1, devices });
    }
    // At one instant, openings before closings: a device handed from one window to the next stays in.
    edges.sort((a, b) => a.at - b.at || b.delta - a.delta);
    this.edges = edges;
    this.next = 0;
    this.version++;
    const changed: number[] = [];
    for (let d = 0; d < covering.length; d++) {
      if (covering[d] > 0 !== this.covering[d] > 0) changed.push(d);
      this.covering[d] = covering[d];
    }
    return changed;
  }

  /** The instant of the next edge; +Infinity when none is left. */
  nextAt(): number {
    return this.next < this.edges.length ? this.edges[this.next].at : Number.POSITIVE_INFINITY;
  }

  /** Apply the next edge; returns the devices whose in-maintenance state changed with it. */
  applyNext(): number[] {
    const e = this.edges[this.next++];
    this.version++;
    const changed: number[] = [];
    for (const d of e.devices) {
      const before = this.covering[d];
      this.covering[d] = before + e.delta;
      if (before === 0 || before + e.delta === 0) changed.push(d);
    }
    return changed;
  }

  inMaintenance(d: number): boolean {
    return this.covering[d] > 0;
  }

  /** The windows open at `t` (start ≤ t < end). */
  activeAt(t: number): MaintenanceWindow[] {
    return this.windows.filter((w) => w.start <= t && t < w.end);
  }

  private assetIndex(): Map<string, number[]> {
    if (this.byAsset) return this.byAsset;
    const byAsset = new Map<string, number[]>();
    this.model.deviceIds.forEach((id, d) => {
      const asset = this.inventory.devices.get(id)?.assetId;
      if (!asset) return;
      const list = byAsset.get(asset);
      if (list) list.push(d);
      else byAsset.set(asset, [d]);
    });
    this.byAsset = byAsset;
    return byAsset;
  }
}
