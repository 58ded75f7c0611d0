// The change log's two stores: a SQLite file in the data dir, and the PostgreSQL control plane of `--db`.
// Both run migration 0007; rows are the same in each.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { migratePostgres, migrateSqliteSync } from '../registry/migrate.js';
import { INDICATOR_CHANGE_MIGRATIONS, POSTGRES_MIGRATIONS } from '../registry/migration.js';
import { ControlPlaneError, connectionProblem, connectPool } from '../registry/postgres.js';
import type { ChangeDraft, ChangeEntry, ChangeLogStore } from './change-log.js';

export const CHANGE_LOG_FILE = 'indicator-changes.sqlite';

interface Row {
  seq: number | string;
  indicator: string;
  at: number | string;
  kind: ChangeEntry['kind'];
  hash: string;
  previous_hash: string | null;
  definition: string;
  detail: string | null;
  actor: string;
}

const INSERT_COLUMNS = '(indicator, at, kind, hash, previous_hash, definition, detail, actor)';
const values = (e: ChangeDraft) => [
  e.indicator,
  e.at,
  e.kind,
  e.hash,
  e.previousHash,
  JSON.stringify(e.definition),
  e.detail === null ? null : JSON.stringify(e.detail),
  e.actor,
];

// BIGINT comes back from pg as a string; milliseconds and sequence numbers fit in a double.
const toEntry = (r: Row): ChangeEntry => ({
  seq: Number(r.seq),
  indicator: r.indicator,
  at: Number(r.at),
  kind: r.kind,
  hash: r.hash,
  previousHash: r.previous_hash,
  definition: JSON.parse(r.definition),
  detail: r.detail === null ? null : JSON.parse(r.detail),
  actor: r.actor,
});

export class SqliteChangeLog implements ChangeLogStore {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, CHANGE_LOG_FILE));
    this.db.pragma('journal_mode = WAL');
    migrateSqliteSync(this.db, INDICATOR_CHANGE_MIGRATIONS);
  }

  async append(e: ChangeDraft): Promise<ChangeEntry> {
    const row = this.db
      .prepare(`INSERT INTO indicator_changes ${INSERT_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`)
      .get(...values(e)) as Row;
    return toEntry(row);
  }

  async list(indicator: string): Promise<ChangeEntry[]> {
    const rows = this.db
      .prepare('SELECT * FROM indicator_changes WHERE indicator = ? ORDER BY seq')
      .all(indicator) as Row[];
    return rows.map(toEntry);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export class PgChangeLog implements ChangeLogStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PgChangeLog> {
    const pool = await connectPool(url, 2);
    try {
      await migratePostgres(pool, POSTGRES_MIGRATIONS);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err instanceof ControlPlaneError
        ? err
        : new ControlPlaneError(connectionProblem(url, err as Error));
    }
    return new PgChangeLog(pool);
  }

  async append(e: ChangeDraft): Promise<ChangeEntry> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO indicator_changes ${INSERT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      values(e),
    );
    return toEntry(rows[0]);
  }

  async list(indicator: string): Promise<ChangeEntry[]> {
    const { rows } = await this.pool.query<Row>(
      'SELECT * FROM indicator_changes WHERE indicator = $1 ORDER BY seq',
      [indicator],
    );
    return rows.map(toEntry);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The store of `--db`, else the data dir's file. */
export function openChangeLog(opts: { db?: string; dataDir: string }): Promise<ChangeLogStore> {
  return opts.db ? PgChangeLog.open(opts.db) : Promise.resolve(new SqliteChangeLog(opts.dataDir));
}
