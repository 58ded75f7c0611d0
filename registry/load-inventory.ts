// Read an inventory folder (docs/contract.md §1): every row validated, every error `file:line: reason`, and the
// valid rows merged over an existing inventory — or nothing at all under `strict` when anything is bad.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { readCityFile } from './city-file.js';
import { csvRows } from './csv-rows.js';
import { checkDeviceReferences, type DeviceLine, type RejectedLines } from './device-references.js';
import {
  type Area,
  type Attributes,
  DEFAULT_INTERVAL_S,
  type Device,
  emptyInventory,
  type Inventory,
  type PipeSegment,
  type Route,
  type Site,
  unknownDistrict,
} from './inventory.js';
import { describeIssues, printable, WITH_INPUT } from './issue-reasons.js';
import {
  AreaRow,
  DeviceRow,
  type InventoryCsvFile,
  KNOWN_COLUMNS,
  PipeSegmentRow,
  REQUIRED_COLUMNS,
  RouteRow,
  SiteRow,
} from './row-schemas.js';
import { attributeProblem, LIMITS } from './text-limits.js';

export interface RowError {
  file: string;
  /** 1-based line in the file; city.json and header problems are at line 1. */
  line: number;
  reason: string;
}

export const formatRowError = (e: RowError): string => `${e.file}:${e.line}: ${e.reason}`;

export type TableName = 'areas' | 'pipeSegments' | 'routes' | 'sites' | 'devices';
export type LoadCounts = Record<TableName, { accepted: number; rejected: number }>;

export interface LoadResult {
  inventory: Inventory;
  errors: RowError[];
  counts: LoadCounts;
  /** Files none of whose rows were read: an empty file or a header without a required column. */
  skippedFiles: string[];
}

export interface LoadProgress {
  file: string;
  /** Bytes read so far over all files. */
  bytes: number;
  totalBytes: number;
}

export interface LoadOptions {
  /** All-or-nothing: with any error, return `existing` unchanged. */
  strict?: boolean;
  /** What the registry already holds: references may point into it, and rows are merged over it. */
  existing?: Inventory;
  onProgress?: (p: LoadProgress) => void;
}

/** The files of an inventory folder, in the order they are read: assets before the devices on them. */
export const INVENTORY_FILES = [
  'city.json',
  'areas.csv',
  'pipe_segments.csv',
  'routes.txt',
  'sites.csv',
  'devices.csv',
] as const;

export class InventoryDirError extends Error {
  readonly code = 'ERR_INVENTORY_DIR';
}

const TABLES: readonly TableName[] = ['areas', 'pipeSegments', 'routes', 'sites', 'devices'];

export async function loadInventoryDir(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const present = inventoryFiles(dir);
  const base = opts.existing ?? emptyInventory();
  // Copies: the caller's inventory stays as it was, whatever this import holds.
  const inv: Inventory = {
    city: base.city,
    areas: new Map(base.areas),
    pipeSegments: new Map(base.pipeSegments),
    routes: new Map(base.routes),
    sites: new Map(base.sites),
    devices: new Map(base.devices),
  };
  const errors: RowError[] = [];
  const skippedFiles: string[] = [];
  const counts = Object.fromEntries(TABLES.map((t) => [t, { accepted: 0, rejected: 0 }])) as LoadCounts;
  const rejectedLines = Object.fromEntries(TABLES.map((t) => [t, new Map()])) as RejectedLines;
  const sizes = new Map(present.map((f) => [f, statSync(join(dir, f)).size]));
  const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
  let doneBytes = 0;

  if (sizes.has('city.json')) {
    const read = readCityFile(join(dir, 'city.json'));
    // A city.json that declares no districts keeps those the registry has: it says nothing about them.
    if ('city' in read)
      inv.city =
        read.city.districts || !base.city.districts
          ? read.city
          : { ...read.city, districts: base.city.districts };
    else errors.push({ file: 'city.json', line: 1, reason: read.error });
    doneBytes += sizes.get('city.json')!;
    opts.onProgress?.({ file: 'city.json', bytes: doneBytes, totalBytes });
  }

  /** The rows of one file that pass their schema and are not repeats; errors for the others. */
  const readTable = async <R, T extends { id: string }>(
    file: InventoryCsvFile,
    table: TableName,
    schema: z.ZodType<R>,
    toRow: (r: R, attributes: Attributes) => T,
  ): Promise<{ line: number; row: T }[]> => {
    if (!sizes.has(file)) return [];
    const accepted: { line: number; row: T }[] = [];
    const firstLine = new Map<string, number>();
    const idColumn = file === 'routes.txt' ? 'route_id' : 'id';
    const reject = (line: number, reason: string, id?: string) => {
      errors.push({ file, line, reason });
      counts[table].rejected++;
      if (id && !firstLine.has(id) && !rejectedLines[table].has(id)) rejectedLines[table].set(id, line);
    };
    let skipFile = false;
    let sawHeader = false;
    for await (const item of csvRows(join(dir, file), {
      onBytes: (b) => opts.onProgress?.({ file, bytes: doneBytes + b, totalBytes }),
    })) {
      if ('header' in item) {
        sawHeader = true;
        const reason = headerProblem(file, item.header);
        skipFile = reason !== undefined;
        if (reason) {
          errors.push({ file, line: item.line, reason });
          skippedFiles.push(file);
        }
      } else if (skipFile) {
        counts[table].rejected++;
      } else if ('error' in item) {
        reject(item.line, item.error);
      } else {
        const parsed = schema.safeParse(item.record, WITH_INPUT);
        const id = item.record[idColumn];
        if (!parsed.success) {
          reject(item.line, describeIssues(parsed.error, item.record), id);
          continue;
        }
        const first = firstLine.get(id);
        if (first !== undefined) {
          reject(item.line, `duplicate ${idColumn} '${id}' (first on line ${first})`);
          continue;
        }
        const unknown = unknownDistrict(inv.city, (parsed.data as { district?: string }).district);
        if (unknown) {
          reject(item.line, unknown, id);
          continue;
        }
        const attributes = attributesOf(item.record, file);
        if (typeof attributes === 'string') {
          reject(item.line, attributes, id);
          continue;
        }
        firstLine.set(id, item.line);
        accepted.push({ line: item.line, row: toRow(parsed.data, attributes) });
      }
    }
    if (!sawHeader) {
      const columns = REQUIRED_COLUMNS[file].join(', ');
      errors.push({ file, line: 1, reason: `is empty: expected a header row with ${columns}` });
      skippedFiles.push(file);
    }
    doneBytes += sizes.get(file)!;
    return accepted;
  };

  const put = <T extends { id: string }>(table: TableName, rows: { row: T }[]) => {
    const map = inv[table] as Map<string, T>;
    for (const { row } of rows) map.set(row.id, row);
    counts[table].accepted += rows.length;
  };

  put('areas', await readTable('areas.csv', 'areas', AreaRow, toArea));
  put('pipeSegments', await readTable('pipe_segments.csv', 'pipeSegments', PipeSegmentRow, toPipeSegment));
  put('routes', await readTable('routes.txt', 'routes', RouteRow, toRoute));
  put('sites', await readTable('sites.csv', 'sites', SiteRow, toSite));
  const devices: DeviceLine[] = await readTable('devices.csv', 'devices', DeviceRow, toDevice);
  const checked = checkDeviceReferences(devices, inv, rejectedLines);
  for (const { line, reason } of checked.errors) errors.push({ file: 'devices.csv', line, reason });
  counts.devices.rejected += checked.errors.length;
  put('devices', checked.accepted);

  // A reason may quote a cell: one with a line break in it must not break the `file:line: reason` line.
  for (const e of errors) e.reason = printable(e.reason);
  const order = (f: string) => (INVENTORY_FILES as readonly string[]).indexOf(f);
  errors.sort((a, b) => order(a.file) - order(b.file) || a.line - b.line);
  const inventory = opts.strict && errors.length > 0 ? base : inv;
  return { inventory, errors, counts, skippedFiles };
}

/** The inventory files present in `dir`; an error naming what is expected when there is none. */
export function inventoryFiles(dir: string): string[] {
  const expectedFiles = INVENTORY_FILES.join(', ');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InventoryDirError(
      `inventory folder '${dir}' does not exist: give a folder holding any of ${expectedFiles}`,
    );
  }
  const present = INVENTORY_FILES.filter((f) => existsSync(join(dir, f)) && statSync(join(dir, f)).isFile());
  if (present.length === 0) {
    throw new InventoryDirError(
      `inventory folder '${dir}' holds none of the inventory files: put ${expectedFiles} there`,
    );
  }
  return present;
}

function headerProblem(file: InventoryCsvFile, header: string[]): string | undefined {
  const missing = REQUIRED_COLUMNS[file].filter((c) => !header.includes(c));
  if (missing.length > 0) return `header lacks column(s) ${missing.join(', ')}: file skipped`;
  const repeated = new Set(header.filter((c, i) => c !== '' && header.indexOf(c) !== i));
  if (repeated.size > 0) return `header repeats column(s) ${[...repeated].join(', ')}: file skipped`;
  const long = header.find((c) => c.length > LIMITS.attributeName);
  if (long !== undefined)
    return `header column '${long.slice(0, 20)}...' is longer than ${LIMITS.attributeName} characters: file skipped`;
  return undefined;
}

/**
 * Columns beyond the contract's, without empty cells; undefined when none is left (docs/contract.md §1). A value
 * over its limit (text-limits.ts) is the reason the row is refused instead.
 */
function attributesOf(record: Record<string, string>, file: InventoryCsvFile): Attributes | string {
  const known = KNOWN_COLUMNS[file];
  let out: Record<string, string> | undefined;
  for (const key in record) {
    const value = record[key];
    if (known.has(key) || key === '' || value === '') continue;
    const problem = attributeProblem(key, value);
    if (problem) return problem;
    out ??= {};
    out[key] = value;
  }
  return out;
}

/** Leave optional properties out rather than set to undefined: rows compare and serialise cleanly. */
function compact<T extends object>(row: T, attributes: Attributes): T {
  const r = row as Record<string, unknown>;
  for (const key in r) if (r[key] === undefined) delete r[key];
  if (attributes) r.attributes = attributes;
  return row;
}

type Out<S extends z.ZodType> = z.output<S>;
type A = Attributes;

const toArea = (r: Out<typeof AreaRow>, a: A): Area =>
  compact({ id: r.id, class: r.class, district: r.district, name: r.name }, a);
const toPipeSegment = (r: Out<typeof PipeSegmentRow>, a: A): PipeSegment =>
  compact({ id: r.id, lengthM: r.length_m, district: r.district }, a);
const toRoute = (r: Out<typeof RouteRow>, a: A): Route =>
  compact(
    {
      id: r.route_id,
      shortName: r.route_short_name,
      longName: r.route_long_name,
      type: r.route_type,
      district: r.district,
    },
    a,
  );
const toSite = (r: Out<typeof SiteRow>, a: A): Site =>
  compact({ id: r.id, class: r.class, district: r.district, name: r.name }, a);
export const toDevice = (r: Out<typeof DeviceRow>, a: A): Device =>
  compact(
    {
      id: r.id,
      kind: r.kind,
      district: r.district,
      assetId: r.asset_id,
      gatewayId: r.gateway_id,
      hd: r.hd,
      // docs/contract.md §1: the interval defaults by kind.
      expectedIntervalS: r.expected_interval_s ?? DEFAULT_INTERVAL_S[r.kind],
      lat: r.lat,
      lon: r.lon,
    },
    a,
  );
