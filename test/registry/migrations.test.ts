// The one migration runner on both databases: an empty SQLite, an empty PostgreSQL, and a data dir made
// before migrations were recorded, adopted without losing a row.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { migratePostgres } from '../../registry/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../registry/migration.js';
import { REGISTRY_FILE, RegistryStore } from '../../registry/store.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';
import { GOOD } from './temp-inventory.js';

/** registry.sqlite exactly as citygauge 0.1 created it, before migrations: CREATE TABLE IF NOT EXISTS. */
const BEFORE_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS areas (id TEXT PRIMARY KEY, class TEXT NOT NULL, district TEXT NOT NULL,
  name TEXT NOT NULL, attributes TEXT);
CREATE TABLE IF NOT EXISTS pipe_segments (id TEXT PRIMARY KEY, length_m REAL NOT NULL, district TEXT NOT NULL,
  attributes TEXT);
CREATE TABLE IF NOT EXISTS routes (id TEXT PRIMARY KEY, short_name TEXT, long_name TEXT, type INTEGER,
  district TEXT, attributes TEXT);
CREATE TABLE IF NOT EXISTS sites (id TEXT PRIMARY KEY, class TEXT NOT NULL, district TEXT NOT NULL,
  name TEXT NOT NULL, attributes TEXT);
CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, kind TEXT NOT NULL, district TEXT, asset_id TEXT,
  gateway_id TEXT, hd INTEGER NOT NULL, expected_interval_s REAL NOT NULL, lat REAL, lon REAL, attributes TEXT);
CREATE TABLE IF NOT EXISTS simulated (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS credentials (
  subject TEXT PRIMARY KEY, type TEXT NOT NULL, digest BLOB NOT NULL, issued_at INTEGER NOT NULL);
`;

const tablesOf = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describe('migrations', () => {
  it('create the registry and credential tables in an empty SQLite data dir and record both', async () => {
    const dir = tempDir();
    (await RegistryStore.open(dir)).close();
    const db = new Database(join(dir, REGISTRY_FILE), { readonly: true });
    expect(tablesOf(db)).toEqual([
      ...['areas', 'credentials', 'devices', 'maintenance_windows', 'meta', 'pipe_segments', 'routes'],
      ...['schema_migrations', 'simulated', 'sites'],
    ]);
    expect(db.prepare('SELECT name FROM schema_migrations ORDER BY name').pluck().all()).toEqual([
      '0001-registry',
      '0002-credentials',
      '0008-maintenance',
    ]);
    db.close();
  });

  it('adopt a data dir made before migrations without losing a row or a credential', async () => {
    const dir = tempDir();
    const old = new Database(join(dir, REGISTRY_FILE));
    old.exec(BEFORE_MIGRATIONS);
    old.close();
    // Filled as the code before migrations filled it: the same upserts, then a device's credential.
    const { inventory } = await loadInventoryDir(GOOD);
    const before = await RegistryStore.open(tempDir());
    before.upsert(inventory);
    const token = before.credentials().issue('cam-1', 'device');
    before.close();
    const filled = new Database(join(dir, REGISTRY_FILE));
    filled.exec(`ATTACH '${before.path}' AS made`);
    for (const t of ['meta', 'areas', 'pipe_segments', 'routes', 'sites', 'devices', 'credentials'])
      filled.exec(`INSERT INTO ${t} SELECT * FROM made.${t}`);
    filled.exec('DETACH made');
    filled.close();

    const store = await RegistryStore.open(dir);
    expect(store.load()).toEqual(inventory);
    expect(store.credentials().verify('cam-1', token)).toBe('device');
    store.close();
    const db = new Database(join(dir, REGISTRY_FILE), { readonly: true });
    expect(db.prepare('SELECT name FROM schema_migrations ORDER BY name').pluck().all()).toEqual([
      '0001-registry',
      '0002-credentials',
      '0008-maintenance',
    ]);
    db.close();
  });

  it('create every control-plane table in an empty PostgreSQL, once, even when two nodes start together', async () => {
    const url = await server.createDatabase();
    const a = new pg.Pool({ connectionString: url });
    const b = new pg.Pool({ connectionString: url });
    // Ended whatever the assertions say: a pool left open errors once the server stops.
    try {
      const [ranA, ranB] = await Promise.all([
        migratePostgres(a, POSTGRES_MIGRATIONS),
        migratePostgres(b, POSTGRES_MIGRATIONS),
      ]);
      expect([...ranA, ...ranB].sort()).toEqual([
        '0001-registry',
        '0002-credentials',
        '0003-alert-log',
        '0004-scorecard',
        '0005-people',
        '0006-alert-kind',
        '0007-indicator-changes',
        '0008-maintenance',
        '0009-incidents',
      ]);
      expect(await migratePostgres(a, POSTGRES_MIGRATIONS)).toEqual([]);
      const { rows } = await a.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(rows.map((r) => r.table_name)).toEqual([
        ...['accounts', 'alert_waits', 'alerts', 'areas', 'audit', 'credentials', 'devices'],
        ...['incident_alerts', 'incidents', 'indicator_changes', 'maintenance_windows', 'meta'],
        ...['personal_tokens', 'pipe_segments', 'routes', 'schema_migrations', 'scorecard_composites'],
        ...['scorecard_entries', 'scorecard_self_assessments', 'scorecard_settings', 'sessions'],
        ...['simulated', 'sites'],
      ]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
