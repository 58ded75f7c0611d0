// The alert log: every alert with its raise, acknowledge and clear times, and the waits under way (since
// when a watched value has been below its threshold). Both are read back at start, so a restart keeps
// alerts open and waits counting from when the value crossed. In the embedded database
// (`<data-dir>/alerts.sqlite`) here, or in PostgreSQL (pg-alert-log.ts) behind --db.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrateSqlite } from '../../registry/migrate.js';
import { ALERT_MIGRATIONS } from '../../registry/migration.js';
import type { Alert, AlertWait } from './alert-machine.js';

/** What the alert service needs of a log: synchronous, as it is called while the engine updates. */
export interface AlertLog {
  /** Insert or update: the log holds each alert's latest state. */
  record(a: Alert): void;
  /** A wait started (`since`) or ended (no `since`): written when it happens, so a crash keeps it too. */
  recordWait(w: AlertWait): void;
  waits(): AlertWait[];
  open(): Alert[];
  /** The newest first, at most `limit`. */
  list(limit?: number): Alert[];
  get(alertId: string): Alert | undefined;
  close(): void | Promise<void>;
}

export interface AlertRow {
  alert_id: string;
  indicator: string;
  scope: string;
  severity: Alert['severity'];
  below: number;
  clear_at: number;
  value: number;
  raised_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  cleared_at: number | null;
  kind: 'threshold' | 'burn-rate';
  /** JSON of a burn-rate alert's BurnDetail. */
  detail: string | null;
}

/** The columns in insert order. */
export const ALERT_COLUMNS =
  'alert_id, indicator, scope, severity, below, clear_at, value, raised_at, acknowledged_at, acknowledged_by, cleared_at, kind, detail';

export const toAlert = (r: AlertRow): Alert => ({
  alertId: r.alert_id,
  indicator: r.indicator,
  scope: r.scope,
  severity: r.severity,
  below: r.below,
  clearAt: r.clear_at,
  value: r.value,
  raisedAt: r.raised_at,
  ...(r.acknowledged_at === null
    ? {}
    : { acknowledgedAt: r.acknowledged_at, acknowledgedBy: r.acknowledged_by ?? '' }),
  ...(r.cleared_at === null ? {} : { clearedAt: r.cleared_at }),
  ...(r.kind === 'burn-rate' ? { kind: r.kind } : {}),
  ...(r.detail ? { detail: JSON.parse(r.detail) } : {}),
});

export class SqliteAlertLog implements AlertLog {
  private constructor(private readonly db: Database.Database) {}

  /** The log under `dataDir`, its schema brought up to date by the migrations. */
  static async open(dataDir: string): Promise<SqliteAlertLog> {
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, 'alerts.sqlite'));
    db.pragma('journal_mode = WAL');
    // FULL: an alert raised, acknowledged or waiting is on disk when it is told; a power cut must not undo it.
    db.pragma('synchronous = FULL');
    try {
      await migrateSqlite(db, ALERT_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteAlertLog(db);
  }

  /** Insert or update: the log holds each alert's latest state. */
  record(a: Alert): void {
    this.db
      .prepare(
        `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES (@alertId, @indicator, @scope, @severity, @below, @clearAt, @value, @raisedAt, @ack, @by, @cleared, @kind, @detail)
         ON CONFLICT(alert_id) DO UPDATE SET acknowledged_at = excluded.acknowledged_at,
           acknowledged_by = excluded.acknowledged_by, cleared_at = excluded.cleared_at`,
      )
      .run({
        ...a,
        ack: a.acknowledgedAt ?? null,
        by: a.acknowledgedBy ?? null,
        cleared: a.clearedAt ?? null,
        kind: a.kind ?? 'threshold',
        detail: a.detail ? JSON.stringify(a.detail) : null,
      });
  }

  /** A wait started (`since`) or ended (no `since`): written when it happens, so a crash keeps it too. */
  recordWait(w: AlertWait): void {
    if (w.since === undefined)
      this.db
        .prepare('DELETE FROM alert_waits WHERE indicator = ? AND scope = ? AND below = ?')
        .run(w.indicator, w.scope, w.below);
    else
      this.db
        .prepare(
          `INSERT INTO alert_waits VALUES (?, ?, ?, ?)
           ON CONFLICT(indicator, scope, below) DO UPDATE SET since = excluded.since`,
        )
        .run(w.indicator, w.scope, w.below, w.since);
  }

  waits(): AlertWait[] {
    return this.db.prepare('SELECT indicator, scope, below, since FROM alert_waits').all() as AlertWait[];
  }

  open(): Alert[] {
    return (
      this.db.prepare('SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY raised_at').all() as AlertRow[]
    ).map(toAlert);
  }

  /** The newest first, at most `limit`. */
  list(limit = 500): Alert[] {
    return (
      this.db.prepare('SELECT * FROM alerts ORDER BY raised_at DESC LIMIT ?').all(limit) as AlertRow[]
    ).map(toAlert);
  }

  get(alertId: string): Alert | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE alert_id = ?').get(alertId) as
      | AlertRow
      | undefined;
    return row && toAlert(row);
  }

  close(): void {
    this.db.close();
  }
}
