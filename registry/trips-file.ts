// The static GTFS `trips.txt` beside the inventory's `routes.txt` (optional): which route each trip_id
// runs, so a GTFS-Realtime feed that names only trips can count for L1.2.2. Read with the inventory's CSV
// machinery, each row through its zod schema; a bad row is an error naming `trips.txt:line`.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { csvRows } from './csv-rows.js';
import { describeIssues } from './issue-reasons.js';
import type { RowError } from './load-inventory.js';
import { referenceText } from './text-limits.js';

export const TRIPS_FILE = 'trips.txt';

const required = z.string().min(1, { message: 'is required', abort: true });

/** GTFS ids are free text: presence and the length and characters of any reference (text-limits.ts). */
export const TripRow = z.object({
  route_id: referenceText(required),
  trip_id: referenceText(required),
});

export interface TripRoutes {
  /** trip_id → route_id. */
  routes: Map<string, string>;
  errors: RowError[];
}

/** The trips of a trips.txt (`path`), or an empty map when there is no such file. */
export async function loadTripRoutes(path: string): Promise<TripRoutes> {
  const file = basename(path);
  const routes = new Map<string, string>();
  const errors: RowError[] = [];
  if (!existsSync(path)) return { routes, errors };
  const error = (line: number, reason: string) => errors.push({ file, line, reason });
  const firstLine = new Map<string, number>();
  for await (const item of csvRows(path)) {
    if ('header' in item) {
      const missing = ['route_id', 'trip_id'].filter((c) => !item.header.includes(c));
      if (missing.length > 0) {
        error(item.line, `header lacks column(s) ${missing.join(', ')}: a GTFS trips.txt has both`);
        break;
      }
    } else if ('error' in item) error(item.line, item.error);
    else {
      const row = TripRow.safeParse(item.record);
      if (!row.success) error(item.line, describeIssues(row.error, item.record));
      else if (firstLine.has(row.data.trip_id))
        error(item.line, `trip_id '${row.data.trip_id}' repeats line ${firstLine.get(row.data.trip_id)}`);
      else {
        firstLine.set(row.data.trip_id, item.line);
        routes.set(row.data.trip_id, row.data.route_id);
      }
    }
  }
  return { routes, errors };
}
