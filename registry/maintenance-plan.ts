// The maintenance plan: every window, kept in registry.sqlite and in memory, with the rules people's changes
// follow (plan, change, cancel or end early) and hooks told of every change, as the registry tells the
// engine of its own (the engine then applies the windows at its clock: engine/maintenance.ts).
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Inventory } from './inventory.js';
import {
  type MaintenanceWindow,
  type WindowInput,
  type WindowPatch,
  windowProblems,
  windowStatus,
} from './maintenance-windows.js';

/** Where windows are kept: read whole at start, each written whole when it changes. */
export interface MaintenanceStore {
  all(): MaintenanceWindow[];
  put(w: MaintenanceWindow): void;
  /** Settles once every put so far is committed (PostgreSQL); SQLite's puts are committed on return. */
  written?(): Promise<void>;
}

interface WindowRow {
  id: string;
  start_at: number;
  end_at: number;
  reason: string;
  planned_by: string;
  devices: string;
  assets: string;
  districts: string;
  created_at: number;
  cancelled_at: number | null;
}

export class SqliteMaintenanceStore implements MaintenanceStore {
  constructor(private readonly db: Database.Database) {}

  all(): MaintenanceWindow[] {
    const rows = this.db
      .prepare('SELECT * FROM maintenance_windows ORDER BY start_at, id')
      .all() as WindowRow[];
    return rows.map((r) => ({
      id: r.id,
      start: r.start_at,
      end: r.end_at,
      reason: r.reason,
      by: r.planned_by,
      devices: JSON.parse(r.devices),
      assets: JSON.parse(r.assets),
      districts: JSON.parse(r.districts),
      createdAt: r.created_at,
      ...(r.cancelled_at === null ? {} : { cancelledAt: r.cancelled_at }),
    }));
  }

  put(w: MaintenanceWindow): void {
    this.db
      .prepare(
        `INSERT INTO maintenance_windows
           (id, start_at, end_at, reason, planned_by, devices, assets, districts, created_at, cancelled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at,
           reason = excluded.reason, devices = excluded.devices, assets = excluded.assets,
           districts = excluded.districts, cancelled_at = excluded.cancelled_at`,
      )
      .run(
        w.id,
        w.start,
        w.end,
        w.reason,
        w.by,
        JSON.stringify(w.devices),
        JSON.stringify(w.assets),
        JSON.stringify(w.districts),
        w.createdAt,
        w.cancelledAt ?? null,
      );
  }
}

/** An expected refusal: `status` is the HTTP answer it maps to. */
export type PlanResult =
  | { ok: true; value: MaintenanceWindow }
  | { ok: false; status: 400 | 404 | 409; message: string };

const refuse = (status: 400 | 404 | 409, message: string): PlanResult => ({ ok: false, status, message });

export class MaintenancePlan {
  private readonly byId = new Map<string, MaintenanceWindow>();
  /** Told every window (cancelled ones included) after each change. */
  readonly onChange: ((windows: readonly MaintenanceWindow[]) => void)[] = [];

  constructor(
    private readonly store: MaintenanceStore,
    /** The registry's inventory now: what a window may name. */
    private readonly inventory: () => Inventory,
  ) {
    for (const w of store.all()) this.byId.set(w.id, w);
  }

  get windows(): MaintenanceWindow[] {
    return [...this.byId.values()].sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  }

  /** Settles once the store committed every change so far: an answer then means it is kept. */
  async written(): Promise<void> {
    await this.store.written?.();
  }

  get(id: string): MaintenanceWindow | undefined {
    return this.byId.get(id);
  }

  /** Plan a window; one that would be over already is refused (history is not rewritten). */
  create(input: WindowInput, by: string, now: number): PlanResult {
    const problems = windowProblems(input, this.inventory());
    if (input.end <= now) problems.push(`end (${new Date(input.end).toISOString()}) is already past`);
    if (problems.length) return refuse(400, problems.join('; '));
    return this.save({ ...input, id: randomUUID(), by, createdAt: now });
  }

  /**
   * Change a planned or open window. An open one keeps its start (it has begun) and may not end before now:
   * ending it early is `end`, now or later.
   */
  change(id: string, patch: WindowPatch, now: number): PlanResult {
    const w = this.byId.get(id);
    if (!w) return refuse(404, `no maintenance window '${id}'`);
    const status = windowStatus(w, now);
    if (status === 'past' || status === 'cancelled')
      return refuse(409, `maintenance window '${id}' is ${status}: it can no longer change`);
    const next: MaintenanceWindow = { ...w, ...patch };
    const problems = windowProblems(next, this.inventory());
    if (status === 'active' && next.start !== w.start)
      problems.push('the window has begun: its start can no longer change');
    if (next.end < now) problems.push(`end (${new Date(next.end).toISOString()}) is already past`);
    if (problems.length) return refuse(400, problems.join('; '));
    return this.save(next);
  }

  /** DELETE: a planned window is cancelled (kept for the record), an open one ends now. */
  cancel(id: string, now: number): PlanResult {
    const w = this.byId.get(id);
    if (!w) return refuse(404, `no maintenance window '${id}'`);
    const status = windowStatus(w, now);
    if (status === 'planned') return this.save({ ...w, cancelledAt: now });
    if (status === 'active') return this.save({ ...w, end: now });
    return refuse(409, `maintenance window '${id}' is ${status} already`);
  }

  private save(w: MaintenanceWindow): PlanResult {
    this.store.put(w);
    this.byId.set(w.id, w);
    const all = this.windows;
    for (const hook of this.onChange) hook(all);
    return { ok: true, value: w };
  }
}
