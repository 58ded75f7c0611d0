// The registry on disk (docs/contract.md §5): the inventory in an embedded SQLite database under the data
// directory, written with transactional upserts and read back into the in-memory Inventory the engine uses.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCredentialStore } from './credentials.js';
import type { Inventory } from './inventory.js';
import { SqliteMaintenanceStore } from './maintenance-plan.js';
import { migrateSqlite } from './migrate.js';
import { REGISTRY_MIGRATIONS } from './migration.js';
import type { RegistryBackend, SimulatedFlag } from './registry-backend.js';
import { changedRows, inventoryFromRows, type Stored, TABLES, type TableName } from './stored-rows.js';

export type { SimulatedFlag } from './registry-backend.js';

export const REGISTRY_FILE = 'registry.sqlite';

/** Positional parameters: at 1M devices, building a named-parameter object per row costs more than the write. */
const upsertSql = (table: string, columns: readonly string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
   ON CONFLICT(id) DO UPDATE SET ${columns
     .filter((c) => c !== 'id')
     .map((c) => `${c} = excluded.${c}`)
     .join(', ')}`;

type Counts = Record<'areas' | 'pipeSegments' | 'routes' | 'sites' | 'devices', number>;

export class RegistryStore implements RegistryBackend {
  private constructor(
    private readonly db: Database.Database,
    /** The database file. */
    readonly path: string,
  ) {}

  /** Device and service credentials, in the same database. */
  credentials(): SqliteCredentialStore {
    return new SqliteCredentialStore(this.db);
  }

  /** The maintenance windows, in the same database. */
  maintenance(): SqliteMaintenanceStore {
    return new SqliteMaintenanceStore(this.db);
  }

  /**
   * Open (creating the directory and database when needed) the registry under `dataDir`, its schema
   * brought up to date by the migrations (a data dir from before they were recorded is adopted as it is).
   */
  static async open(dataDir: string): Promise<RegistryStore> {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, REGISTRY_FILE);
    const db = new Database(path);
    // WAL: the HTTP API can read the registry while an import writes it.
    db.pragma('journal_mode = WAL');
    // FULL: a device registered is answered with its secret, shown once; a power cut must not undo it.
    db.pragma('synchronous = FULL');
    try {
      await migrateSqlite(db, REGISTRY_MIGRATIONS);
    } catch (err) {
      db.close();
      throw err;
    }
    return new RegistryStore(db, path);
  }

  counts(): Counts {
    const n = (t: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return {
      areas: n('areas'),
      pipeSegments: n('pipe_segments'),
      routes: n('routes'),
      sites: n('sites'),
      devices: n('devices'),
    };
  }

  isEmpty(): boolean {
    return Object.values(this.counts()).every((n) => n === 0);
  }

  upsert(inv: Inventory, unchangedFrom?: Inventory, simulated: SimulatedFlag = 'clear'): void {
    const db = this.db;
    const meta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    // Clearing flags that no device has (a city without a simulator) would cost a statement per row.
    const touchFlags =
      simulated === 'set' || (simulated === 'clear' && db.prepare('SELECT 1 FROM simulated LIMIT 1').get());
    const flag =
      simulated === 'set'
        ? db.prepare('INSERT OR IGNORE INTO simulated (id) VALUES (?)')
        : db.prepare('DELETE FROM simulated WHERE id = ?');
    const rows = changedRows(inv, unchangedFrom);
    db.transaction(() => {
      meta.run('city', JSON.stringify(inv.city));
      for (const table of Object.keys(TABLES) as TableName[]) {
        const { columns, values } = TABLES[table];
        const write = db.prepare(upsertSql(table, columns));
        const toValues = values as (row: unknown) => unknown[];
        for (const row of rows[table]) {
          write.run(...toValues(row));
          if (table === 'devices' && touchFlags) flag.run(row.id);
        }
      }
    })();
  }

  deleteDevice(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM devices WHERE id = ?').run(id);
      this.db.prepare('DELETE FROM simulated WHERE id = ?').run(id);
    })();
  }

  /** The devices the simulated fleet plays: those `citygauge start` imported on first start. */
  simulatedIds(): Set<string> {
    const rows = this.db.prepare('SELECT id FROM simulated').pluck().iterate() as IterableIterator<string>;
    return new Set(rows);
  }

  /** Mark registered devices simulated (a data dir from before the flag; see cli/start-registry.ts). */
  markSimulated(ids: Iterable<string>): number {
    const mark = this.db.prepare('INSERT OR IGNORE INTO simulated (id) SELECT id FROM devices WHERE id = ?');
    let n = 0;
    this.db.transaction(() => {
      for (const id of ids) n += mark.run(id).changes;
    })();
    return n;
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /** The whole registry in memory, with the maps the engine looks devices and assets up in. */
  load(): Inventory {
    const rows = (table: TableName) =>
      this.db.prepare(`SELECT * FROM ${table}`).iterate() as IterableIterator<Stored>;
    return inventoryFromRows(this.meta('city'), rows);
  }

  isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    this.db.close();
  }
}
