// The alert log in a PostgreSQL control plane (`--db`): the alert service calls it while the engine
// updates, so it answers from memory (every alert and wait, read at start) and writes through in order;
// written() settles once PostgreSQL has every change made so far.
import type pg from 'pg';
import type { Logger } from 'pino';
import { migratePostgres } from '../../registry/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../registry/migration.js';
import { ControlPlaneError, connectionProblem, connectPool, redactUrl } from '../../registry/postgres.js';
import { PendingWrites } from '../../registry/registry-backend.js';
import { type AlertLog, type AlertRow, toAlert } from './alert-log.js';
import type { Alert, AlertWait } from './alert-machine.js';

const waitKey = (w: Pick<AlertWait, 'indicator' | 'scope' | 'below'>) =>
  `${w.indicator}\n${w.scope}\n${w.below}`;
/** BIGINT comes back from pg as a string (it may exceed 2^53); milliseconds since 1970 do not. */
const ms = (v: unknown) => (v === null ? null : Number(v));

export class PgAlertLog implements AlertLog {
  private readonly alerts = new Map<string, Alert>();
  private readonly waiting = new Map<string, AlertWait>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending = new PendingWrites();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
    private readonly log?: Logger,
  ) {}

  static async open(url: string, log?: Logger): Promise<PgAlertLog> {
    const pool = await connectPool(url, 2);
    const store = new PgAlertLog(pool, redactUrl(url), log);
    try {
      await migratePostgres(pool, POSTGRES_MIGRATIONS);
      for (const r of (await pool.query('SELECT * FROM alerts')).rows) {
        const row = {
          ...r,
          raised_at: ms(r.raised_at),
          acknowledged_at: ms(r.acknowledged_at),
          cleared_at: ms(r.cleared_at),
        };
        const alert = toAlert(row as AlertRow);
        store.alerts.set(alert.alertId, alert);
      }
      for (const r of (await pool.query('SELECT indicator, scope, below, since FROM alert_waits')).rows) {
        const w: AlertWait = {
          indicator: r.indicator,
          scope: r.scope,
          below: r.below,
          since: Number(r.since),
        };
        store.waiting.set(waitKey(w), w);
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw err instanceof ControlPlaneError
        ? err
        : new ControlPlaneError(connectionProblem(url, err as Error));
    }
    return store;
  }

  record(a: Alert): void {
    this.alerts.set(a.alertId, a);
    this.write(
      `INSERT INTO alerts VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (alert_id) DO UPDATE SET acknowledged_at = EXCLUDED.acknowledged_at,
         acknowledged_by = EXCLUDED.acknowledged_by, cleared_at = EXCLUDED.cleared_at`,
      [
        ...[a.alertId, a.indicator, a.scope, a.severity, a.below, a.clearAt, a.value, a.raisedAt],
        ...[a.acknowledgedAt ?? null, a.acknowledgedBy ?? null, a.clearedAt ?? null],
      ],
    );
  }

  recordWait(w: AlertWait): void {
    if (w.since === undefined) {
      this.waiting.delete(waitKey(w));
      this.write('DELETE FROM alert_waits WHERE indicator = $1 AND scope = $2 AND below = $3', [
        w.indicator,
        w.scope,
        w.below,
      ]);
    } else {
      this.waiting.set(waitKey(w), { ...w });
      this.write(
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
    return this.pending.settled();
  }

  async close(): Promise<void> {
    await this.queue;
    await this.pool.end().catch(() => {});
  }

  /** In the order they were made, so an alert's clear never lands before its raise. */
  private write(sql: string, params: unknown[]): void {
    const run = () =>
      this.pool.query(sql, params).then(
        () => {},
        (err: Error) => {
          this.log?.error({ db: this.where, err: err.message }, 'alert log write failed');
          throw err;
        },
      );
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    this.pending.add(p);
  }
}
