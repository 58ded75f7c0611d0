// Real transit data for the sample city: a subset of VTA's GTFS routes and stops (examples/gtfs-vta),
// copied cell for cell so the sample city imports a genuine GTFS file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Prng } from '../prng.js';
import { CITY_CENTRE, DISTRICTS, type District } from './districts.js';

export const ROUTE_COUNT = 60;
export const STOP_COUNT = 300;
/** GTFS columns kept in the sample city's trips.txt: what maps a GTFS-Realtime trip to its route. */
export const TRIP_COLUMNS = ['route_id', 'service_id', 'trip_id', 'direction_id'];
/** GTFS columns kept in the sample city's routes.txt, plus the city's own `district`. */
export const ROUTE_COLUMNS = ['route_id', 'agency_id', 'route_short_name', 'route_long_name', 'route_type'];

export interface GtfsTable {
  header: string[];
  rows: Record<string, string>[];
}

export function readGtfs(path: string): GtfsTable {
  // No trimming: names keep their trailing spaces, exactly as the agency publishes them.
  const records = parse(readFileSync(path), { bom: true, skip_empty_lines: true }) as string[][];
  const [header, ...body] = records;
  return { header, rows: body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}

/** 60 routes in feed order, each placed in a district (GTFS has none; a city adds the column). */
export function pickRoutes(
  rng: Prng,
  gtfsDir: string,
  count = ROUTE_COUNT,
  districts: readonly District[] = DISTRICTS,
): GtfsTable {
  const all = readGtfs(join(gtfsDir, 'routes.txt')).rows;
  const keep = new Set(rng.shuffle(all.map((_, i) => i)).slice(0, count));
  const rows = all
    .filter((_, i) => keep.has(i))
    .map((r) => ({
      ...Object.fromEntries(ROUTE_COLUMNS.map((c) => [c, r[c] ?? ''])),
      district: rng.pick(districts).id,
    }));
  return { header: [...ROUTE_COLUMNS, 'district'], rows };
}

/** ~300 stops around the city centre: a sample of the 900 nearest, so routes have stops to serve. */
export function pickStops(rng: Prng, gtfsDir: string, count = STOP_COUNT, centre = CITY_CENTRE): GtfsTable {
  const { header, rows } = readGtfs(join(gtfsDir, 'stops.txt'));
  const distance = (r: Record<string, string>) =>
    (Number(r.stop_lat) - centre.lat) ** 2 + ((Number(r.stop_lon) - centre.lon) * 0.8) ** 2;
  const nearest = rows
    .filter((r) => Number.isFinite(distance(r)))
    .map((r, i) => ({ r, i, d: distance(r) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, count * 3);
  const keep = rng.shuffle(nearest).slice(0, count);
  // Feed order again, so the file reads like a GTFS extract rather than a shuffle.
  return { header, rows: keep.sort((a, b) => a.i - b.i).map((k) => k.r) };
}

/**
 * The trips of the picked routes, in feed order, with the columns that map a trip to its route, or
 * undefined when the folder has no trips.txt. GTFS-Realtime feeds name trips by these trip_ids.
 */
export function pickTrips(gtfsDir: string, routes: GtfsTable): GtfsTable | undefined {
  const path = join(gtfsDir, 'trips.txt');
  if (!existsSync(path)) return undefined;
  const kept = new Set(routes.rows.map((r) => r.route_id));
  const rows = readGtfs(path)
    .rows.filter((r) => kept.has(r.route_id))
    .map((r) => Object.fromEntries(TRIP_COLUMNS.map((c) => [c, r[c] ?? ''])));
  return { header: TRIP_COLUMNS, rows };
}
