// The registry's rows as both databases store them: which columns each table has, the values an inventory
// writes into them, and the Inventory read back. Pure, so SQLite and PostgreSQL give back the same Inventory.
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

export type Cell = string | number | null;
// Rows come back as they were written by a validated import, so they are trusted on the way out.
export interface Stored {
  [column: string]: Cell;
}

const json = (a: Record<string, string> | undefined): string | null => (a ? JSON.stringify(a) : null);
const text = (v: Cell) => (v === null ? undefined : String(v));
const num = (v: Cell) => (v === null ? undefined : Number(v));

/** Each table, its columns in order, and the values of one row: positional, cheap at 1M devices. */
export const TABLES = {
  areas: {
    columns: ['id', 'class', 'district', 'name', 'attributes'],
    values: (a: Area): Cell[] => [a.id, a.class, a.district, a.name, json(a.attributes)],
  },
  pipe_segments: {
    columns: ['id', 'length_m', 'district', 'attributes'],
    values: (p: PipeSegment): Cell[] => [p.id, p.lengthM, p.district, json(p.attributes)],
  },
  routes: {
    columns: ['id', 'short_name', 'long_name', 'type', 'district', 'attributes'],
    values: (r: Route): Cell[] => [
      ...[r.id, r.shortName ?? null, r.longName ?? null],
      ...[r.type ?? null, r.district ?? null, json(r.attributes)],
    ],
  },
  sites: {
    columns: ['id', 'class', 'district', 'name', 'attributes'],
    values: (s: Site): Cell[] => [s.id, s.class, s.district, s.name, json(s.attributes)],
  },
  devices: {
    columns: [
      ...['id', 'kind', 'district', 'asset_id', 'gateway_id', 'hd'],
      ...['expected_interval_s', 'lat', 'lon', 'attributes'],
    ],
    values: (d: Device): Cell[] => [
      ...[d.id, d.kind, d.district ?? null, d.assetId ?? null, d.gatewayId ?? null, d.hd ? 1 : 0],
      ...[d.expectedIntervalS, d.lat ?? null, d.lon ?? null, json(d.attributes)],
    ],
  },
} as const;

export type TableName = keyof typeof TABLES;

/**
 * The rows of `inv` to write, table by table: all of them, or only those that are not the very objects of
 * `unchangedFrom` (the stored inventory `inv` was merged over), so an import of 100 rows into 1M rewrites 100.
 */
export function changedRows(inv: Inventory, unchangedFrom?: Inventory) {
  const changed = <T extends { id: string }>(rows: Map<string, T>, before: Map<string, T> | undefined) =>
    before ? [...rows.values()].filter((r) => before.get(r.id) !== r) : [...rows.values()];
  const was = unchangedFrom;
  return {
    areas: changed(inv.areas, was?.areas),
    pipe_segments: changed(inv.pipeSegments, was?.pipeSegments),
    routes: changed(inv.routes, was?.routes),
    sites: changed(inv.sites, was?.sites),
    devices: changed(inv.devices, was?.devices),
  };
}

/** Set only what is there: optional properties stay absent, as the importer leaves them. */
function withOptional<T extends object>(row: T, optional: Record<string, unknown>, attributes: Cell): T {
  const r = row as Record<string, unknown>;
  for (const key in optional) if (optional[key] !== undefined) r[key] = optional[key];
  if (attributes !== null) r.attributes = JSON.parse(String(attributes));
  return row;
}

/** The whole registry in memory, with the maps the engine looks devices and assets up in. */
export function inventoryFromRows(
  city: string | undefined,
  rows: (table: TableName) => Iterable<Stored>,
): Inventory {
  const inv = emptyInventory(city ? (JSON.parse(city) as CityConfig) : defaultCityConfig());
  // Areas and sites are stored alike: an id, a class, a district and a name.
  const place = <C>(r: Stored) => ({
    id: String(r.id),
    class: r.class as C,
    district: String(r.district),
    name: String(r.name),
  });
  for (const r of rows('areas')) {
    const area: Area = place<AreaClass>(r);
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
    const site: Site = place<SiteClass>(r);
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
