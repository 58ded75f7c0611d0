// Recompute one indicator's history from the recorded device states (issue 14 item 6). The history keeps
// every change of a device's condition bits (online, available, shared) with its engine time; the engine
// with today's definition is driven by exactly those bits (DeviceState.setMask, the path a cluster's merge
// uses), with the city's maintenance windows opening and closing at their instants, so every indicator that
// depends only on device conditions gets the very value the live engine would have computed at each instant
// it wrote history. Pure: the caller reads and writes the store.
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import type { MaintenanceWindow } from '../registry/maintenance-windows.js';
import { CityEngine, indicatorValues, meanWindows } from './city-engine.js';
import { AVAILABLE, MAINTENANCE, ONLINE, SHARED } from './city-model.js';
import type { IndicatorPoint } from './sinks/points.js';

export interface DeviceStateRow {
  device: string;
  ts: number;
  online: boolean;
  available: boolean;
  shared: boolean;
  /** Changed after the snapshot taken at `ts` (engine/sinks/points.ts): applied after that instant's values. */
  afterInstant?: boolean;
}

export type StoredPoint = Omit<IndicatorPoint, 'kind' | 'id'>;

export interface RecomputeInput {
  inventory: Inventory;
  /** The current catalogue (standard plus the city's definitions). */
  catalogue: readonly IndicatorDef[];
  id: string;
  from: number;
  to: number;
  /** Where the virtual engine starts: from − the longest mean window, or the first recorded state if later. */
  origin: number;
  /** Each device's last recorded state at or before `origin`. */
  initial: readonly DeviceStateRow[];
  /** Every recorded state in (origin, to], in time order. */
  changes: readonly DeviceStateRow[];
  /** The instants in [from, to] at which the engine wrote history (any indicator), ascending. */
  instants: readonly number[];
  /** The stored points of the indicator in [from, to]. */
  old: readonly StoredPoint[];
  /** The city's maintenance windows, applied as live applies them (availability leaves their devices out). */
  maintenance?: readonly MaintenanceWindow[];
  onProgress?: (done: number, total: number) => void;
}

export interface DiffRow {
  ts: number;
  scope: string;
  /** The stored value; undefined when nothing was stored at that instant for that scope. */
  old: number | null | undefined;
  new: number | null;
  changed: boolean;
}

export interface Recomputed {
  /** One row per (instant, scope) with a stored point or a new value that moved. */
  rows: DiffRow[];
  /** The points that replace the stored ones with --write: one per row, so the old cadence is kept and every move is in. */
  points: IndicatorPoint[];
  /** Recorded states of devices no longer in the registry: left out. */
  unknownDevices: number;
}

/** Why an indicator cannot be recomputed from device states, or undefined when it can. */
export function notRecomputable(catalogue: readonly IndicatorDef[], id: string): string | undefined {
  const byId = new Map(catalogue.map((d) => [d.id, d]));
  const visit = (d: IndicatorDef): string | undefined => {
    if (d.kind === 'asset-coverage' && 'channel' in d.coveredBy)
      return `'${d.id}' counts arrival messages, which the history does not keep (only device states)`;
    if (d.kind !== 'weighted') return undefined;
    for (const p of d.parts) {
      if (!('indicator' in p)) continue;
      const part = byId.get(p.indicator);
      const why = part && visit(part);
      if (why) return why;
    }
    return undefined;
  };
  const def = byId.get(id);
  return def && visit(def);
}

const maskOf = (staticBits: number, s: DeviceStateRow) =>
  staticBits | (s.online ? ONLINE : 0) | (s.available ? AVAILABLE : 0) | (s.shared ? SHARED : 0);

export function recompute(input: RecomputeInput): Recomputed {
  const engine = new CityEngine(input.inventory, input.catalogue);
  const m = engine.model;
  const k = m.indicators.findIndex((c) => c.def.id === input.id);
  if (k < 0) throw new Error(`indicator '${input.id}' is not in the catalogue`);
  const windows = meanWindows(input.inventory);
  const unknown = new Set<string>();
  const apply = (s: DeviceStateRow, t: number) => {
    const d = m.deviceIndex.get(s.device);
    if (d === undefined) {
      unknown.add(s.device);
      return;
    }
    engine.devices.setMask(d, maskOf(m.staticMask[d], s) | (engine.devices.mask[d] & MAINTENANCE), t);
  };
  // The recorded bits are set as they were; the windows add the MAINTENANCE bit at their edges.
  engine.devices.externalBits = true;
  if (input.maintenance) engine.setMaintenance(input.maintenance);
  // The state at the origin, then the clock starts there, as a live engine's first input starts its means.
  for (const s of input.initial) apply(s, input.origin);
  engine.advanceTo(input.origin);

  const oldAt = new Map<string, StoredPoint>();
  for (const p of input.old) oldAt.set(`${p.ts}\u0000${p.scope}`, p);
  const rows: DiffRow[] = [];
  const points: IndicatorPoint[] = [];
  const previous = new Map<string, number | null>();
  let c = 0;
  const total = input.instants.length;
  // Changes made at an instant after its values were taken (a deadline lapsing exactly then): held for the next.
  const held: DeviceStateRow[] = [];
  for (let i = 0; i < total; i++) {
    const t = input.instants[i];
    for (const s of held.splice(0)) apply(s, s.ts);
    // docs/contract.md §5: the state at t includes everything that happened at t, but a device last heard
    // exactly 3 × its interval before t is still online at t: its lapse comes after t's values.
    for (; c < input.changes.length && input.changes[c].ts <= t; c++) {
      const s = input.changes[c];
      if (s.ts === t && s.afterInstant) {
        held.push(s);
        continue;
      }
      engine.advanceTo(s.ts);
      apply(s, s.ts);
    }
    engine.tickTo(t);
    for (const v of indicatorValues(m, engine.indicators, windows, engine.origin, t, k)) {
      const stored = oldAt.get(`${t}\u0000${v.scope}`);
      const moved = !previous.has(v.scope) || previous.get(v.scope) !== v.value;
      previous.set(v.scope, v.value);
      if (!stored && !moved) continue;
      rows.push({
        ts: t,
        scope: v.scope,
        old: stored?.value,
        new: v.value,
        changed: stored?.value !== v.value,
      });
      points.push({
        kind: 'indicator',
        id: v.id,
        scope: v.scope,
        ts: t,
        value: v.value,
        numerator: v.numerator,
        denominator: v.denominator,
        means: v.means,
      });
    }
    if (i % 1000 === 999) input.onProgress?.(i + 1, total);
  }
  input.onProgress?.(total, total);
  return { rows, points, unknownDevices: unknown.size };
}

/** The longest mean window of the city, in ms: how far before `from` the device states are read. */
export const lookbackMs = (inventory: Inventory): number =>
  Math.max(0, ...meanWindows(inventory).map((w) => w.ms));
