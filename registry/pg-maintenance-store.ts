// Maintenance windows in a PostgreSQL control plane (`--db`), as the alert log keeps its alerts there: read
// whole at open, answered from memory, written through in order (pg-write-through.ts). One process applies
// them (`citygauge start --db`); other nodes are not told yet.
import type { Logger } from 'pino';
import type { MaintenanceStore } from './maintenance-plan.js';
import type { MaintenanceWindow } from './maintenance-windows.js';
import { PgWriteThrough } from './pg-write-through.js';

/** BIGINT comes back from pg as a string; milliseconds since 1970 fit a number. */
const ms = (v: unknown) => Number(v);

export class PgMaintenanceStore implements MaintenanceStore {
  private readonly windows = new Map<string, MaintenanceWindow>();

  private constructor(private readonly db: PgWriteThrough) {}

  static open(url: string, log?: Logger): Promise<PgMaintenanceStore> {
    return PgWriteThrough.open(url, 'maintenance window', log, async (db) => {
      const store = new PgMaintenanceStore(db);
      for (const r of await db.rows('SELECT * FROM maintenance_windows')) {
        const id = r.id as string;
        store.windows.set(id, {
          id,
          start: ms(r.start_at),
          end: ms(r.end_at),
          reason: r.reason as string,
          by: r.planned_by as string,
          devices: JSON.parse(r.devices as string),
          assets: JSON.parse(r.assets as string),
          districts: JSON.parse(r.districts as string),
          createdAt: ms(r.created_at),
          ...(r.cancelled_at === null ? {} : { cancelledAt: ms(r.cancelled_at) }),
        });
      }
      return store;
    });
  }

  all(): MaintenanceWindow[] {
    return [...this.windows.values()];
  }

  put(w: MaintenanceWindow): void {
    this.windows.set(w.id, w);
    const params = [
      ...[w.id, w.start, w.end, w.reason, w.by],
      ...[JSON.stringify(w.devices), JSON.stringify(w.assets), JSON.stringify(w.districts)],
      ...[w.createdAt, w.cancelledAt ?? null],
    ];
    // A cancel never lands before the plan it cancels: writes run in the order made.
    this.db.write(
      `INSERT INTO maintenance_windows VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
         reason = EXCLUDED.reason, devices = EXCLUDED.devices, assets = EXCLUDED.assets,
         districts = EXCLUDED.districts, cancelled_at = EXCLUDED.cancelled_at`,
      params,
    );
  }

  /** Settles once every change made so far is stored; rejects when one failed. */
  written(): Promise<void> {
    return this.db.written();
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
