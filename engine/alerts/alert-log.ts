// The alert log in the embedded database (`<data-dir>/alerts.sqlite`): every alert with its raise,
// acknowledge and clear times, and the waits under way (since when a watched value has been below its
// threshold). Both are read back at start, so a restart keeps alerts open and waits counting from when
// the value crossed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Alert, AlertWait } from './alert-machine.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (
  alert_id TEXT PRIMARY KEY, indicator TEXT NOT NULL, scope TEXT NOT NULL, severity TEXT NOT NULL,
  below REAL NOT NULL, clear_at REAL NOT NULL, value REAL NOT NULL, raised_at INTEGER NOT NULL,
  acknowledged_at INTEGER, acknowledged_by TEXT, cleared_at INTEGER);
CREATE INDEX IF NOT EXISTS alerts_open ON alerts (cleared_at);
CREATE INDEX IF NOT EXISTS alerts_raised ON alerts (raised_at);
CREATE TABLE IF NOT EXISTS alert_waits (
  indicator TEXT NOT NULL, scope TEXT NOT NULL, below REAL NOT NULL, since INTEGER NOT NULL,
  PRIMARY KEY (indicator, scope, below));
`;

interface Row {
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
}

const toAlert = (r: Row): Alert => ({
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
});

export class AlertLog {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'alerts.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // FULL: an alert raised, acknowledged or waiting is on disk when it is told; a power cut must not undo it.
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  /** Insert or update: the log holds each alert's latest state. */
  record(a: Alert): void {
    this.db
      .prepare(
        `INSERT INTO alerts VALUES (@alertId, @indicator, @scope, @severity, @below, @clearAt, @value, @raisedAt, @ack, @by, @cleared)
         ON CONFLICT(alert_id) DO UPDATE SET acknowledged_at = excluded.acknowledged_at,
           acknowledged_by = excluded.acknowledged_by, cleared_at = excluded.cleared_at`,
      )
      .run({
        ...a,
        ack: a.acknowledgedAt ?? null,
        by: a.acknowledgedBy ?? null,
        cleared: a.clearedAt ?? null,
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
      this.db.prepare('SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY raised_at').all() as Row[]
    ).map(toAlert);
  }

  /** The newest first, at most `limit`. */
  list(limit = 500): Alert[] {
    return (this.db.prepare('SELECT * FROM alerts ORDER BY raised_at DESC LIMIT ?').all(limit) as Row[]).map(
      toAlert,
    );
  }

  get(alertId: string): Alert | undefined {
    const row = this.db.prepare('SELECT * FROM alerts WHERE alert_id = ?').get(alertId) as Row | undefined;
    return row && toAlert(row);
  }

  close(): void {
    this.db.close();
  }
}
