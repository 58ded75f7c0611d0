// The registry on disk (CONTRACT §5): the inventory in an embedded SQLite database under the data
// directory, written with transactional upserts and read back into the in-memory Inventory the engine uses.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CredentialStore } from './credentials.js';
import {
  type Area,
  type AreaClass,
  type CityConfig,
  type Device,
  type DeviceKind,
  defaultCityConfig,
  emptyInventory,
  type Inventory,
  type PipeSegment,
  type Route,
  type Site,
  type SiteClass,
} from './inventory.js';

export const REGISTRY_FILE = 'registry.sqlite';

const SCHEMA = `
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
`;

/**
 * What a write does to the simulated flag of the devices it writes (issue 10 item 3): `set` for the city
 * `citygauge start` imports on first start, `clear` for a person's (an upload, an import, a registration),
 * `keep` for a change to a registered device.
 */
export type SimulatedFlag = 'set' | 'clear' | 'keep';

/** Positional parameters: at 1M devices, building a named-parameter object per row costs more than the write. */
const upsertSql = (table: string, columns: string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
   ON CONFLICT(id) DO UPDATE SET ${columns
     .filter((c) => c !== 'id')
     .map((c) => `${c} = excluded.${c}`)
     .join(', ')}`;

type Cell = string | number | null;
const json = (a: Record<string, string> | undefined): string | null => (a ? JSON.stringify(a) : null);

// Rows come back as they were written by a validated import, so they are trusted on the way out.
interface Stored {
  [column: string]: Cell;
}
const text = (v: Cell) => (v === null ? undefined : String(v));
const num = (v: Cell) => (v === null ? undefined : Number(v));
/** Set only what is there: optional properties stay absent, as the importer leaves them. */
function withOptional<T extends object>(row: T, optional: Record<string, unknown>, attributes: Cell): T {
  const r = row as Record<string, unknown>;
  for (const key in optional) if (optional[key] !== undefined) r[key] = optional[key];
  if (attributes !== null) r.attributes = JSON.parse(String(attributes));
  return row;
}

type Counts = Record<'areas' | 'pipeSegments' | 'routes' | 'sites' | 'devices', number>;

export class RegistryStore {
  private constructor(
    private readonly db: Database.Database,
    /** The database file. */
    readonly path: string,
  ) {}

  /** Open (creating the directory and database when needed) the registry under `dataDir`. */
  /** Device and service credentials, in the same database. */
  credentials(): CredentialStore {
    return new CredentialStore(this.db);
  }

  static open(dataDir: string): RegistryStore {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, REGISTRY_FILE);
    const db = new Database(path);
    // WAL: the HTTP API can read the registry while an import writes it.
    db.pragma('journal_mode = WAL');
    // FULL: a device registered is answered with its secret, shown once; a power cut must not undo it.
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
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

  /**
   * Insert or update, by id, city.json and every row of `inv`, in one transaction: all of it lands or none.
   * Rows that are the very objects of `unchangedFrom` (the stored inventory `inv` was merged over) are
   * already stored and skipped, so an import of 100 rows into a registry of 1M rewrites 100.
   */
  upsert(inv: Inventory, unchangedFrom?: Inventory, simulated: SimulatedFlag = 'clear'): void {
    const db = this.db;
    const meta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    const area = db.prepare(upsertSql('areas', ['id', 'class', 'district', 'name', 'attributes']));
    const pipe = db.prepare(upsertSql('pipe_segments', ['id', 'length_m', 'district', 'attributes']));
    const route = db.prepare(
      upsertSql('routes', ['id', 'short_name', 'long_name', 'type', 'district', 'attributes']),
    );
    const site = db.prepare(upsertSql('sites', ['id', 'class', 'district', 'name', 'attributes']));
    const device = db.prepare(
      upsertSql('devices', [
        ...['id', 'kind', 'district', 'asset_id', 'gateway_id', 'hd'],
        ...['expected_interval_s', 'lat', 'lon', 'attributes'],
      ]),
    );
    // Clearing flags that no device has (a city without a simulator) would cost a statement per row.
    const touchFlags =
      simulated === 'set' || (simulated === 'clear' && db.prepare('SELECT 1 FROM simulated LIMIT 1').get());
    const flag =
      simulated === 'set'
        ? db.prepare('INSERT OR IGNORE INTO simulated (id) VALUES (?)')
        : db.prepare('DELETE FROM simulated WHERE id = ?');
    const changed = <T>(rows: Map<string, T>, before: Map<string, T> | undefined) =>
      before ? [...rows.values()].filter((r) => before.get((r as { id: string }).id) !== r) : rows.values();
    const was = unchangedFrom;
    db.transaction(() => {
      meta.run('city', JSON.stringify(inv.city));
      for (const a of changed(inv.areas, was?.areas))
        area.run(a.id, a.class, a.district, a.name, json(a.attributes));
      for (const p of changed(inv.pipeSegments, was?.pipeSegments))
        pipe.run(p.id, p.lengthM, p.district, json(p.attributes));
      for (const r of changed(inv.routes, was?.routes)) {
        route.run(
          r.id,
          r.shortName ?? null,
          r.longName ?? null,
          r.type ?? null,
          r.district ?? null,
          json(r.attributes),
        );
      }
      for (const s of changed(inv.sites, was?.sites))
        site.run(s.id, s.class, s.district, s.name, json(s.attributes));
      for (const d of changed(inv.devices, was?.devices)) {
        device.run(
          ...[d.id, d.kind, d.district ?? null, d.assetId ?? null, d.gatewayId ?? null, d.hd ? 1 : 0],
          ...[d.expectedIntervalS, d.lat ?? null, d.lon ?? null, json(d.attributes)],
        );
        if (touchFlags) flag.run(d.id);
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
    const city = this.db.prepare("SELECT value FROM meta WHERE key = 'city'").get() as
      | { value: string }
      | undefined;
    const inv = emptyInventory(city ? (JSON.parse(city.value) as CityConfig) : defaultCityConfig());
    const rows = (table: string) =>
      this.db.prepare(`SELECT * FROM ${table}`).iterate() as IterableIterator<Stored>;
    for (const r of rows('areas')) {
      const area: Area = {
        id: String(r.id),
        class: r.class as AreaClass,
        district: String(r.district),
        name: String(r.name),
      };
      inv.areas.set(area.id, withOptional(area, {}, r.attributes));
    }
    for (const r of rows('pipe_segments')) {
      const segment: PipeSegment = {
        id: String(r.id),
        lengthM: Number(r.length_m),
        district: String(r.district),
      };
      inv.pipeSegments.set(segment.id, withOptional(segment, {}, r.attributes));
    }
    for (const r of rows('routes')) {
      const optional = {
        shortName: text(r.short_name),
        longName: text(r.long_name),
        type: num(r.type),
        district: text(r.district),
      };
      const route: Route = withOptional({ id: String(r.id) }, optional, r.attributes);
      inv.routes.set(route.id, route);
    }
    for (const r of rows('sites')) {
      const site: Site = {
        id: String(r.id),
        class: r.class as SiteClass,
        district: String(r.district),
        name: String(r.name),
      };
      inv.sites.set(site.id, withOptional(site, {}, r.attributes));
    }
    for (const r of rows('devices')) {
      const device: Device = {
        id: String(r.id),
        kind: r.kind as DeviceKind,
        hd: r.hd === 1,
        expectedIntervalS: Number(r.expected_interval_s),
      };
      const optional = {
        district: text(r.district),
        assetId: text(r.asset_id),
        gatewayId: text(r.gateway_id),
        lat: num(r.lat),
        lon: num(r.lon),
      };
      inv.devices.set(device.id, withOptional(device, optional, r.attributes));
    }
    return inv;
  }

  isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    this.db.close();
  }
}
