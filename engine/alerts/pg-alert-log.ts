// The alert log in a PostgreSQL control plane (`--db`): the alert service calls it while the engine
// updates, so it answers from memory (every alert and wait, read at start) and writes through in order
// (registry/pg-write-through.ts).
import type { Logger } from 'pino';
import { PgWriteThrough } from '../../registry/pg-write-through.js';
import { ALERT_COLUMNS, type AlertLog, type AlertRow, toAlert } from './alert-log.js';
import type { Alert, AlertWait } from './alert-machine.js';

const waitKey = (w: Pick<AlertWait, 'indicator' | 'scope' | 'below'>) =>
  `${w.indicator}\n${w.scope}\n${w.below}`;
/** BIGINT comes back from pg as a string (it may exceed 2^53); milliseconds since 1970 do not. */
const ms = (v: unknown) => (v === null ? null : Number(v));

export class PgAlertLog implements AlertLog {
  private readonly alerts = new Map<string, Alert>();
  private readonly waiting = new Map<string, AlertWait>();

  private constructor(private readonly db: PgWriteThrough) {}

  static open(url: string, log?: Logger): Promise<PgAlertLog> {
    return PgWriteThrough.open(url, 'alert log', log, async (db) => {
      const store = new PgAlertLog(db);
      for (const r of await db.rows('SELECT * FROM alerts')) {
        const row = {
          ...r,
          raised_at: ms(r.raised_at),
          acknowledged_at: ms(r.acknowledged_at),
          cleared_at: ms(r.cleared_at),
        };
        const alert = toAlert(row as unknown as AlertRow);
        store.alerts.set(alert.alertId, alert);
      }
      for (const r of await db.rows('SELECT indicator, scope, below, since FROM alert_waits')) {
        const w: AlertWait = {
          indicator: r.indicator as string,
          scope: r.scope as string,
          below: r.below as number,
          since: Number(r.since),
        };
        store.waiting.set(waitKey(w), w);
      }
      return store;
    });
  }

  record(a: Alert): void {
    this.alerts.set(a.alertId, a);
    this.db.write(
      `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (alert_id) DO UPDATE SET acknowledged_at = EXCLUDED.acknowledged_at,
         acknowledged_by = EXCLUDED.acknowledged_by, cleared_at = EXCLUDED.cleared_at`,
      [
        ...[a.alertId, a.indicator, a.scope, a.severity, a.below, a.clearAt, a.value, a.raisedAt],
        ...[a.acknowledgedAt ?? null, a.acknowledgedBy ?? null, a.clearedAt ?? null],
        ...[a.kind ?? 'threshold', a.detail ? JSON.stringify(a.detail) : null],
      ],
    );
  }

  recordWait(w: AlertWait): void {
    if (w.since === undefined) {
      this.waiting.delete(waitKey(w));
      this.db.write('DELETE FROM alert_waits WHERE indicator = $1 AND scope = $2 AND below = $3', [
        w.indicator,
        w.scope,
        w.below,
      ]);
    } else {
      this.waiting.set(waitKey(w), { ...w });
      this.db.write(
        `INSERT INTO alert_waits VALUES ($1, $2, $3, $4)
         ON CONFLICT (indicator, scope, below) DO UPDATE SET since = EXCLUDED.since`,
        [w.indicator, w.scope, w.below, w.since],
      );
    }
  }

  waits(): AlertWait[] {
    return [...this.waiting.values()];
  }

  open(): Alert[] {
    return [...this.alerts.values()]
      .filter((a) => a.clearedAt === undefined)
      .sort((a, b) => a.raisedAt - b.raisedAt);
  }

  list(limit = 500): Alert[] {
    return [...this.alerts.values()].sort((a, b) => b.raisedAt - a.raisedAt).slice(0, limit);
  }

  get(alertId: string): Alert | undefined {
    return this.alerts.get(alertId);
  }

  /** Settles once every change made so far is stored; rejects when one failed. */
  written(): Promise<void> {
    return this.db.written();
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
