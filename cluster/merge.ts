// The exact merge of a cluster's partitions, pure: what each partition contributed (cluster/contribution.ts)
// is applied in time order to one city-wide state, through the same Contributions and IndicatorState code
// one process uses. Device counts are sums; an asset counts while any of its devices covers it, whichever
// partition that device lives in; a route counts while any partition heard an arrival for it in time (the
// latest arrival wins). The step series keep only the value at the end of each instant, so the order in
// which one instant's events arrive from different partitions leaves no trace in the means.

import { adoptSeries, forEachKeptRoute } from '../engine/carry-over.js';
import {
  CityEngine,
  type IndicatorValue,
  indicatorValues,
  type MeanWindow,
  meanWindows,
} from '../engine/city-engine.js';
import type { CityModel } from '../engine/city-model.js';
import { type RejectionCounts, zeroCounts } from '../engine/rejections.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import { cityOrder, DEVICE, EVENT_SIZE, ORIGIN, ROUTE } from './contribution.js';

/**
 * The city-wide state the partitions' contributions add up to: an ordinary CityEngine that never reads a
 * message, its devices' condition bits set by the partitions and its clock moved by the marks. Everything
 * that reads an engine (the HTTP API, alerts, the history feed) reads a merge alike.
 */
/** How one registry version's device and route numbers (cityOrder) map onto the merge's current model. */
interface Numbering {
  devices: readonly string[];
  routes: readonly string[];
  /** Model index per device number, −1 for a device the current registry no longer has. */
  device: Int32Array;
  route: Int32Array;
}

export class CityMerge {
  engine: CityEngine;
  private windows: MeanWindow[];
  /** Numberings by registry version; `undefined` is the merge's own (a replay's, or before any version). */
  private readonly numberings = new Map<string | undefined, Numbering>();
  private current: Numbering;
  private lastVersion: string | undefined;
  private lastNumbering: Numbering | undefined;

  constructor(
    inventory: Inventory,
    private readonly catalogue: readonly IndicatorDef[],
  ) {
    // Registration alone counts (CCTV coverage, HD share): the engine starts every device at its static
    // bits, as in one process, and partitions report only changes from there.
    this.engine = new CityEngine(inventory, catalogue);
    this.windows = meanWindows(inventory);
    this.current = this.numbering(inventory);
    this.numberings.set(undefined, this.current);
  }

  get model(): CityModel {
    return this.engine.model;
  }

  /** The earliest first input of any partition: the means start there. */
  get origin(): number | undefined {
    return this.engine.origin;
  }

  /** Partitions may number by this registry version from now on (their batches name it). */
  knows(version: string, inventory: Inventory): void {
    if (this.numberings.has(version)) return;
    this.numberings.set(version, this.numbering(inventory));
    this.lastNumbering = undefined;
  }

  has(version: string | undefined): boolean {
    return this.numberings.has(version);
  }

  /**
   * The registry became `inventory`: the city is rebuilt on it with every device's state carried over by id
   * (engine/carry-over.ts), and every version's numbers point into the new model.
   */
  rebuild(inventory: Inventory, version: string): void {
    this.engine = rebuildMerged(this.engine, inventory, this.catalogue);
    this.windows = meanWindows(inventory);
    for (const [v, n] of this.numberings) this.numberings.set(v, this.numbering(n));
    this.knows(version, inventory);
    this.current = this.numberings.get(version)!;
    this.numberings.set(undefined, this.current);
    this.lastNumbering = undefined;
  }

  apply(kind: number, a: number, b: number, t: number, version?: string): void {
    const e = this.engine;
    // Events come in runs of one batch, so one version at a time: looked up once per run, not per event.
    if (version !== this.lastVersion || this.lastNumbering === undefined) {
      this.lastVersion = version;
      this.lastNumbering = this.numberings.get(version) ?? this.current;
    }
    const n = this.lastNumbering;
    if (kind === DEVICE) {
      const d = n.device[a];
      if (d >= 0) e.devices.setMask(d, b, t);
    } else if (kind === ROUTE) {
      const r = n.route[a % n.routes.length];
      if (r >= 0) e.contributions.route(Math.floor(a / n.routes.length), r, b as 1 | -1, t);
    } else if (kind === ORIGIN) {
      if (e.origin === undefined) {
        e.origin = t;
        e.indicators.startRecording(t);
      }
    } else throw new Error(`unknown contribution kind ${kind}`);
  }

  /** The city at `at`, which every partition has reached; the engine's clock follows. */
  indicatorValues(at: number): IndicatorValue[] {
    if (at > this.engine.now) this.engine.now = at;
    this.engine.lastSnapshotAt = at;
    return indicatorValues(this.engine.model, this.engine.indicators, this.windows, this.engine.origin, at);
  }

  private numbering(from: Inventory | Pick<Numbering, 'devices' | 'routes'>): Numbering {
    const devices = 'city' in from ? cityOrder(from.devices.keys()) : from.devices;
    const routes = 'city' in from ? cityOrder(from.routes.keys()) : from.routes;
    const m = this.engine.model;
    return {
      devices,
      routes,
      device: Int32Array.from(devices, (id) => m.deviceIndex.get(id) ?? -1),
      route: Int32Array.from(routes, (id) => m.assets.route.index.get(id) ?? -1),
    };
  }
}

/**
 * The merged city on another registry, its state carried over by id. Not engine/carry-over.ts's rebuild: a
 * merge's devices have no liveness of their own to recompute (their bits are what the partitions last said),
 * and a route's freshness is how many partitions hold it.
 */
function rebuildMerged(
  old: CityEngine,
  inventory: Inventory,
  catalogue: readonly IndicatorDef[],
): CityEngine {
  const next = new CityEngine(inventory, catalogue);
  if (old.origin === undefined) return next;
  const t = old.now;
  const [om, nm] = [old.model, next.model];
  next.now = t;
  next.origin = old.origin;
  for (let d = 0; d < nm.deviceIds.length; d++) {
    const o = om.deviceIndex.get(nm.deviceIds[d]);
    if (o === undefined) continue;
    next.devices.setMask(d, old.devices.mask[o], t);
    next.devices.changedAt[d] = old.devices.changedAt[o];
  }
  forEachKeptRoute(old, next, (oe, or, ne, r) => {
    for (let i = old.contributions.freshCount(oe, or); i > 0; i--) next.contributions.route(ne, r, 1, t);
  });
  adoptSeries(next, old, t);
  return next;
}

/** A partition's state at an instant the merge reports: counts so far, cumulative. */
export interface PartitionMark {
  at: number;
  accepted: number;
  rejected: RejectionCounts;
}

export interface MergedSnapshot {
  at: number;
  indicators: IndicatorValue[];
  accepted: number;
  rejected: RejectionCounts;
}

type Item = { events: Float64Array; pos: number; version?: string } | { mark: PartitionMark };

interface Source {
  queue: Item[];
  /** Every event still to come from this source is at or after this time. */
  watermark: number;
}

/**
 * Orders the partitions' event streams in time and cuts them at the marks: the snapshot at T holds exactly
 * what each partition had applied when it reached T. Each stream is in time order; an event is applied once
 * no source can still send an earlier one.
 */
export class MergeClock {
  readonly onSnapshot: ((s: MergedSnapshot) => void)[] = [];
  private readonly sources: Source[];

  /**
   * @param align live: report only the instants every partition marked (a replay marks the same instants in
   * every partition, and a mismatch is an error there)
   */
  constructor(
    private readonly merge: CityMerge,
    partitions: number,
    private readonly align = false,
  ) {
    this.sources = Array.from({ length: partitions }, () => ({
      queue: [],
      watermark: Number.NEGATIVE_INFINITY,
    }));
  }

  /** Events from partition p, and the time it has reached: it will send nothing earlier than `watermark`. */
  events(p: number, events: Float64Array, watermark: number, version?: string): void {
    const src = this.sources[p];
    if (events.length > 0) src.queue.push({ events, pos: 0, version });
    if (watermark > src.watermark) src.watermark = watermark;
    this.drain();
  }

  /** Partition p reached `mark.at`: everything it sent so far belongs to the state at that time. */
  mark(p: number, mark: PartitionMark): void {
    const src = this.sources[p];
    src.queue.push({ mark });
    if (mark.at > src.watermark) src.watermark = mark.at;
    this.drain();
  }

  private drain(): void {
    for (;;) {
      this.applyReady();
      const heads = this.sources.map((s) => s.queue[0]);
      if (!heads.every((h) => h !== undefined && 'mark' in h)) return;
      const marks = (heads as { mark: PartitionMark }[]).map((h) => h.mark);
      const at = Math.max(...marks.map((m) => m.at));
      if (marks.some((m) => m.at !== at)) {
        if (!this.align)
          throw new Error(`partitions marked different instants: ${marks.map((m) => m.at).join(', ')}`);
        // Live, a partition that started later has no mark at the others' first instants: those marks
        // only join their segment to the next one.
        for (const s of this.sources)
          if ((s.queue[0] as { mark: PartitionMark }).mark.at < at) s.queue.shift();
        continue;
      }
      for (const s of this.sources) s.queue.shift();
      const rejected = zeroCounts();
      let accepted = 0;
      for (const m of marks) {
        accepted += m.accepted;
        for (const r of Object.keys(rejected) as (keyof RejectionCounts)[]) rejected[r] += m.rejected[r];
      }
      const snapshot = { at, indicators: this.merge.indicatorValues(at), accepted, rejected };
      for (const f of this.onSnapshot) f(snapshot);
    }
  }

  /**
   * Apply, in time order, every queued event no source can still precede. Events of one instant may come
   * in any order (the series keep only the end of each instant), so an event at the limit itself is safe.
   */
  private applyReady(): void {
    // A source whose segment is closed by a mark has sent all of it; an open one only what lies before its
    // watermark.
    let limit = Number.POSITIVE_INFINITY;
    for (const s of this.sources) {
      if (!s.queue.some((i) => 'mark' in i) && s.watermark < limit) limit = s.watermark;
    }
    for (;;) {
      let best = -1;
      let bestT = Number.POSITIVE_INFINITY;
      for (let p = 0; p < this.sources.length; p++) {
        const head = this.headEvents(p);
        if (head !== undefined && head.events[head.pos + 3] < bestT) {
          best = p;
          bestT = head.events[head.pos + 3];
        }
      }
      if (best < 0 || bestT > limit) return;
      const head = this.headEvents(best)!;
      const e = head.events;
      const i = head.pos;
      this.merge.apply(e[i], e[i + 1], e[i + 2], e[i + 3], head.version);
      head.pos = i + EVENT_SIZE;
    }
  }

  /** The next unapplied events of partition p's current segment, dropping used-up batches. */
  private headEvents(p: number): { events: Float64Array; pos: number; version?: string } | undefined {
    const q = this.sources[p].queue;
    while (q.length > 0) {
      const h = q[0];
      if ('mark' in h) return undefined;
      if (h.pos < h.events.length) return h;
      q.shift();
    }
    return undefined;
  }
}
