// The one migration runner (umzug) for both databases: it applies the migrations not yet recorded in the
// database's `schema_migrations` table, in order, and records each. Each runs in a transaction of its own.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import type { Migration } from './migration.js';

const RECORD = `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`;

async function run(
  migrations: readonly Migration[],
  storage: UmzugStorage,
  apply: (sql: string) => Promise<void>,
  dialect: 'sqlite' | 'postgres',
): Promise<string[]> {
  const umzug = new Umzug({
    migrations: migrations.map((m) => ({ name: m.name, up: () => apply(m[dialect]) })),
    storage,
    logger: undefined,
  });
  return (await umzug.up()).map((m) => m.name);
}

/** Bring a SQLite database up to date; the names of the migrations applied now. */
export function migrateSqlite(db: Database.Database, migrations: readonly Migration[]): Promise<string[]> {
  db.exec(RECORD);
  const storage: UmzugStorage = {
    executed: async () =>
      db.prepare('SELECT name FROM schema_migrations ORDER BY name').pluck().all() as string[],
    // OR IGNORE: two processes opening the same data dir at once both apply the idempotent baseline.
    logMigration: async ({ name }) => {
      db.prepare('INSERT OR IGNORE INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(
        name,
        Date.now(),
      );
    },
    unlogMigration: async ({ name }) => {
      db.prepare('DELETE FROM schema_migrations WHERE name = ?').run(name);
    },
  };
  return run(
    migrations,
    storage,
    async (sql) => {
      db.transaction(() => {
        db.exec(sql);
      })();
    },
    'sqlite',
  );
}

/** Any constant: the advisory lock that lets one node at a time migrate a shared database. */
const MIGRATION_LOCK = 30_146;

/** Bring a PostgreSQL database up to date; nodes starting together take turns, the later ones find nothing to do. */
export async function migratePostgres(pool: pg.Pool, migrations: readonly Migration[]): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(RECORD);
    const storage: UmzugStorage = {
      executed: async () =>
        (await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map(
          (r) => r.name,
        ),
      logMigration: async ({ name }) => {
        await client.query(
          'INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [name, Date.now()],
        );
      },
      unlogMigration: async ({ name }) => {
        await client.query('DELETE FROM schema_migrations WHERE name = $1', [name]);
      },
    };
    const apply = async (sql: string) => {
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    };
    return await run(migrations, storage, apply, 'postgres');
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

/**
 * The same as migrateSqlite, without a promise: the scorecard store opens synchronously (its callers, the
 * HTTP routes among them, read it at once). Same list, same record, one transaction per migration.
 */
export function migrateSqliteSync(db: Database.Database, migrations: readonly Migration[]): string[] {
  db.exec(RECORD);
  const done = new Set(db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[]);
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    db.transaction(() => {
      db.exec(m.sqlite);
      db.prepare('INSERT OR IGNORE INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(
        m.name,
        Date.now(),
      );
    })();
    applied.push(m.name);
  }
  return applied;
}
