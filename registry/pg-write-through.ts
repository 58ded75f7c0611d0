// A table in a PostgreSQL control plane (`--db`) behind a store that answers from memory: the alert log,
// the incident log and the maintenance windows are read whole at open, then written through in the order
// their changes were made (a clear never lands before its raise); written() settles once PostgreSQL has
// every change made so far.
import type pg from 'pg';
import type { Logger } from 'pino';
import { migratePostgres } from './migrate.js';
import { POSTGRES_MIGRATIONS } from './migration.js';
import { ControlPlaneError, connectionProblem, connectPool, redactUrl } from './postgres.js';
import { PendingWrites } from './registry-backend.js';

export class PgWriteThrough {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending = new PendingWrites();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
    /** What is stored, for the log line of a failed write: "alert log". */
    private readonly what: string,
    private readonly log?: Logger,
  ) {}

  /**
   * Connects, runs the migrations and lets `load` build the store from the rows. Any failure closes the
   * pool and is reported as a control-plane error naming the fix.
   */
  static async open<T>(
    url: string,
    what: string,
    log: Logger | undefined,
    load: (db: PgWriteThrough) => Promise<T>,
  ): Promise<T> {
    const pool = await connectPool(url, 2);
    const db = new PgWriteThrough(pool, redactUrl(url), what, log);
    try {
      await migratePostgres(pool, POSTGRES_MIGRATIONS);
      return await load(db);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err instanceof ControlPlaneError
        ? err
        : new ControlPlaneError(connectionProblem(url, err as Error));
    }
  }

  /** Rows for loading at open. */
  async rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(sql, params)).rows;
  }

  /** Queued behind every earlier write, and run even when one of them failed. */
  write(sql: string, params: unknown[]): void {
    const run = () =>
      this.pool.query(sql, params).then(
        () => {},
        (err: Error) => {
          this.log?.error({ db: this.where, err: err.message }, `${this.what} write failed`);
          throw err;
        },
      );
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    this.pending.add(p);
  }

  /** Settles once every change made so far is stored; rejects when one failed. */
  written(): Promise<void> {
    return this.pending.settled();
  }

  async close(): Promise<void> {
    await this.queue;
    await this.pool.end().catch(() => {});
  }
}
