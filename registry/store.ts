// The registry on disk: the inventory in an embedded SQLite database under the data directory,
// written with transactional upserts and read back into the in-memory Inventory the engine uses.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type CityConfig, defaultCityConfig, emptyInventory, type Inventory } from './inventory.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS areas (id TEXT PRIMARY KEY, class TEXT NOT NULL, district TEXT NOT NULL, name TEXT NOT NULL, attributes TEXT);
CREATE TABLE IF NOT EXISTS pipe_segments (id TEXT PRIMARY KEY, length_m REAL NOT NULL, district TEXT NOT NULL, attributes TEXT);
CREATE TABLE IF NOT EXISTS routes (id TEXT PRIMARY KEY, short_name TEXT, long_name TEXT, type INTEGER, district TEXT, attributes TEXT);
CREATE TABLE IF NOT EXISTS sites (id TEXT PRIMARY KEY, class TEXT NOT NULL, district TEXT NOT NULL, name TEXT NOT NULL, attributes TEXT);
CREATE TABLE IF NOT EXISTS devices (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, district TEXT, asset_id TEXT, gateway_id TEXT, hd INTEGER NOT NULL,
  expected_interval_s REAL NOT NULL, lat REAL, lon REAL, attributes TEXT);
`;

const upsert = (table: string, columns: string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
   ON CONFLICT(id) DO UPDATE SET ${columns
     .filter((c) => c !== 'id')
     .map((c) => `${c} = excluded.${c}`)
     .join(', ')}`;

const json = (a: Record<string, string> | undefined) => (a ? JSON.stringify(a) : null);
const attrs = (s: string | null) => (s ? (JSON.parse(s) as Record<string, string>) : undefined);
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export class RegistryStore {
  readonly path: string;
  private constructor(
    private readonly db: Database.Database,
    path: string,
  ) {
    this.path = path;
  }

  static open(dataDir: string): RegistryStore {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'registry.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    return new RegistryStore(db, path);
  }

  isEmpty(): boolean {
    const c = this.counts();
    return Object.values(c).every((n) => n === 0);
  }

  counts(): Record<'areas' | 'pipeSegments' | 'routes' | 'sites' | 'devices', number> {
    const n = (t: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return {
      areas: n('areas'),
      pipeSegments: n('pipe_segments'),
      routes: n('routes'),
      sites: n('sites'),
      devices: n('devices'),
    };
  }

  /** Write every row of `inv` (insert or update by id) in one transaction: all of it lands or none. */
  upsert(inv: Inventory): void {
    const db = this.db;
    const meta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    const area = db.prepare(upsert('areas', ['id', 'class', 'district', 'name', 'attributes']));
    const pipe = db.prepare(upsert('pipe_segments', ['id', 'length_m', 'district', 'attributes']));
    const route = db.prepare(
      upsert('routes', ['id', 'short_name', 'long_name', 'type', 'district', 'attributes']),
    );
    const site = db.prepare(upsert('sites', ['id', 'class', 'district', 'name', 'attributes']));
    const device = db.prepare(
      upsert('devices', [
        'id',
        'kind',
        'district',
        'asset_id',
        'gateway_id',
        'hd',
        'expected_interval_s',
        'lat',
        'lon',
        'attributes',
      ]),
    );
    db.transaction(() => {
      meta.run('city', JSON.stringify(inv.city));
      for (const a of inv.areas.values()) area.run({ ...a, attributes: json(a.attributes) });
      for (const p of inv.pipeSegments.values())
        pipe.run({ id: p.id, length_m: p.lengthM, district: p.district, attributes: json(p.attributes) });
      for (const r of inv.routes.values()) {
        route.run({
          id: r.id,
          short_name: r.shortName ?? null,
          long_name: r.longName ?? null,
          type: r.type ?? null,
          district: r.district ?? null,
          attributes: json(r.attributes),
        });
      }
      for (const s of inv.sites.values()) site.run({ ...s, attributes: json(s.attributes) });
      for (const d of inv.devices.values()) {
        device.run({
          id: d.id,
          kind: d.kind,
          district: d.district ?? null,
          asset_id: d.assetId ?? null,
          gateway_id: d.gatewayId ?? null,
          hd: d.hd ? 1 : 0,
          expected_interval_s: d.expectedIntervalS,
          lat: d.lat ?? null,
          lon: d.lon ?? null,
          attributes: json(d.attributes),
        });
      }
    })();
  }

  load(): Inventory {
    const db = this.db;
    const city = db.prepare("SELECT value FROM meta WHERE key = 'city'").get() as
      | { value: string }
      | undefined;
    const inv = emptyInventory(city ? (JSON.parse(city.value) as CityConfig) : defaultCityConfig());
    type Row = Record<string, string | number | null>;
    for (const r of db.prepare('SELECT * FROM areas').iterate() as IterableIterator<Row>) {
      inv.areas.set(
        r.id as string,
        clean({
          id: r.id,
          class: r.class,
          district: r.district,
          name: r.name,
          attributes: attrs(r.attributes as string | null),
        }),
      );
    }
    for (const r of db.prepare('SELECT * FROM pipe_segments').iterate() as IterableIterator<Row>) {
      inv.pipeSegments.set(
        r.id as string,
        clean({
          id: r.id,
          lengthM: r.length_m,
          district: r.district,
          attributes: attrs(r.attributes as string | null),
        }),
      );
    }
    for (const r of db.prepare('SELECT * FROM routes').iterate() as IterableIterator<Row>) {
      inv.routes.set(
        r.id as string,
        clean({
          id: r.id,
          shortName: opt(r.short_name),
          longName: opt(r.long_name),
          type: opt(r.type),
          district: opt(r.district),
          attributes: attrs(r.attributes as string | null),
        }),
      );
    }
    for (const r of db.prepare('SELECT * FROM sites').iterate() as IterableIterator<Row>) {
      inv.sites.set(
        r.id as string,
        clean({
          id: r.id,
          class: r.class,
          district: r.district,
          name: r.name,
          attributes: attrs(r.attributes as string | null),
        }),
      );
    }
    for (const r of db.prepare('SELECT * FROM devices').iterate() as IterableIterator<Row>) {
      inv.devices.set(
        r.id as string,
        clean({
          id: r.id,
          kind: r.kind,
          district: opt(r.district),
          assetId: opt(r.asset_id),
          gatewayId: opt(r.gateway_id),
          hd: r.hd === 1,
          expectedIntervalS: r.expected_interval_s,
          lat: opt(r.lat),
          lon: opt(r.lon),
          attributes: attrs(r.attributes as string | null),
        }),
      );
    }
    return inv;
  }

  close(): void {
    this.db.close();
  }
}

/** Rows are stored as the validated import wrote them, so they are trusted on the way back. */
// biome-ignore lint/suspicious/noExplicitAny: typed by the caller's Map
function clean(row: Record<string, unknown>): any {
  for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
  return row;
}
