// Read an inventory folder (CONTRACT §1): every row validated, every error `file:line: reason`, and the
// valid rows merged over an existing inventory — or nothing at all under `strict` when any row is bad.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { csvRows } from './csv-rows.js';
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
} from './inventory.js';
import {
  AreaRow,
  CityFile,
  DeviceRow,
  describeIssues,
  KNOWN_COLUMNS,
  PipeSegmentRow,
  REQUIRED_COLUMNS,
  RouteRow,
  SiteRow,
} from './row-schemas.js';

export interface RowError {
  file: string;
  line: number;
  reason: string;
}

export const formatRowError = (e: RowError) => `${e.file}:${e.line}: ${e.reason}`;

export type TableName = 'areas' | 'pipeSegments' | 'routes' | 'sites' | 'devices';
export type LoadCounts = Record<TableName, { accepted: number; rejected: number }>;

export interface LoadResult {
  inventory: Inventory;
  errors: RowError[];
  counts: LoadCounts;
}

export interface LoadOptions {
  /** All-or-nothing: with any error, return `existing` unchanged. */
  strict?: boolean;
  /** What the registry already holds: references may point into it, and rows are merged over it. */
  existing?: Inventory;
  onProgress?: (p: { file: string; bytes: number; totalBytes: number }) => void;
}

export const INVENTORY_FILES = [
  'city.json',
  'areas.csv',
  'pipe_segments.csv',
  'routes.txt',
  'sites.csv',
  'devices.csv',
];

export class InventoryDirError extends Error {
  readonly code = 'ERR_INVENTORY_DIR';
}

export async function loadInventoryDir(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InventoryDirError(`inventory folder '${dir}' does not exist`);
  }
  const present = INVENTORY_FILES.filter((f) => existsSync(join(dir, f)));
  if (present.length === 0) {
    throw new InventoryDirError(
      `'${dir}' holds none of the inventory files: put ${INVENTORY_FILES.join(', ')} there`,
    );
  }
  const base = opts.existing ?? emptyInventory();
  const inv: Inventory = {
    city: base.city,
    areas: new Map(base.areas),
    pipeSegments: new Map(base.pipeSegments),
    routes: new Map(base.routes),
    sites: new Map(base.sites),
    devices: new Map(base.devices),
  };
  const errors: RowError[] = [];
  const counts = Object.fromEntries(
    (['areas', 'pipeSegments', 'routes', 'sites', 'devices'] as const).map((t) => [
      t,
      { accepted: 0, rejected: 0 },
    ]),
  ) as LoadCounts;
  const totalBytes = present.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  let doneBytes = 0;

  if (present.includes('city.json')) {
    const city = readCity(join(dir, 'city.json'));
    if (typeof city === 'string') errors.push({ file: 'city.json', line: 1, reason: city });
    else inv.city = city;
  }

  const readTable = async <S extends z.ZodType, T extends { id: string }>(
    file: keyof typeof REQUIRED_COLUMNS,
    table: TableName,
    schema: S,
    toRow: (r: z.infer<S>, attributes: Attributes) => T,
  ): Promise<{ line: number; row: T }[]> => {
    const path = join(dir, file);
    if (!existsSync(path)) return [];
    const accepted: { line: number; row: T }[] = [];
    const firstLine = new Map<string, number>();
    const fail = (line: number, reason: string) => {
      errors.push({ file, line, reason });
      counts[table].rejected++;
    };
    let fileBytes = 0;
    for await (const item of csvRows(path, {
      onBytes: (b) => {
        fileBytes = b;
        opts.onProgress?.({ file, bytes: doneBytes + b, totalBytes });
      },
    })) {
      if ('header' in item) {
        const missing = REQUIRED_COLUMNS[file].filter((c) => !item.header.includes(c));
        if (missing.length) {
          errors.push({
            file,
            line: 1,
            reason: `header lacks column(s) ${missing.join(', ')}: file skipped`,
          });
          return [];
        }
        continue;
      }
      if ('error' in item) {
        fail(item.line, item.error);
        continue;
      }
      const parsed = schema.safeParse(item.record);
      if (!parsed.success) {
        fail(item.line, describeIssues(parsed.error, item.record));
        continue;
      }
      const row = toRow(parsed.data, attributesOf(item.record, KNOWN_COLUMNS[file]));
      const first = firstLine.get(row.id);
      if (first !== undefined) {
        fail(item.line, `duplicate id '${row.id}' (first on line ${first})`);
        continue;
      }
      firstLine.set(row.id, item.line);
      accepted.push({ line: item.line, row });
    }
    doneBytes += fileBytes;
    return accepted;
  };

  const put = <T extends { id: string }>(map: Map<string, T>, table: TableName, rows: { row: T }[]) => {
    for (const { row } of rows) map.set(row.id, row);
    counts[table].accepted += rows.length;
  };

  put(
    inv.areas,
    'areas',
    await readTable(
      'areas.csv',
      'areas',
      AreaRow,
      (r, attributes): Area =>
        withAttributes({ id: r.id, class: r.class, district: r.district, name: r.name }, attributes),
    ),
  );
  put(
    inv.pipeSegments,
    'pipeSegments',
    await readTable(
      'pipe_segments.csv',
      'pipeSegments',
      PipeSegmentRow,
      (r, attributes): PipeSegment =>
        withAttributes({ id: r.id, lengthM: r.length_m, district: r.district }, attributes),
    ),
  );
  put(
    inv.routes,
    'routes',
    await readTable(
      'routes.txt',
      'routes',
      RouteRow,
      (r, attributes): Route =>
        withAttributes(
          {
            id: r.route_id,
            shortName: r.route_short_name,
            longName: r.route_long_name,
            type: r.route_type,
            district: r.district,
          },
          attributes,
        ),
    ),
  );
  put(
    inv.sites,
    'sites',
    await readTable(
      'sites.csv',
      'sites',
      SiteRow,
      (r, attributes): Site =>
        withAttributes({ id: r.id, class: r.class, district: r.district, name: r.name }, attributes),
    ),
  );

  const devices = await readTable(
    'devices.csv',
    'devices',
    DeviceRow,
    (r, attributes): Device =>
      withAttributes(
        {
          id: r.id,
          kind: r.kind,
          district: r.district,
          assetId: r.asset_id,
          gatewayId: r.gateway_id,
          hd: r.hd,
          expectedIntervalS: r.expected_interval_s ?? DEFAULT_INTERVAL_S[r.kind],
          lat: r.lat,
          lon: r.lon,
        },
        attributes,
      ),
  );
  // References are checked once every device row is known: a gateway may follow its cameras.
  const kindOf = new Map<string, string>();
  for (const d of inv.devices.values()) kindOf.set(d.id, d.kind);
  for (const { row } of devices) kindOf.set(row.id, row.kind);
  const valid = devices.filter(({ line, row }) => {
    const reason = referenceError(row, inv, kindOf);
    if (reason) {
      errors.push({ file: 'devices.csv', line, reason });
      counts.devices.rejected++;
    }
    return !reason;
  });
  put(inv.devices, 'devices', valid);

  errors.sort((a, b) => INVENTORY_FILES.indexOf(a.file) - INVENTORY_FILES.indexOf(b.file) || a.line - b.line);
  if (opts.strict && errors.length > 0)
    return { inventory: opts.existing ?? emptyInventory(), errors, counts };
  return { inventory: inv, errors, counts };
}

function readCity(path: string): Inventory['city'] | string {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return `not valid JSON: ${(err as Error).message}`;
  }
  const parsed = CityFile.safeParse(raw);
  if (!parsed.success) return describeIssues(parsed.error);
  const { name, cctvSharingAgreement, windows, thresholds } = parsed.data;
  return { name, cctvSharingAgreement, windows, thresholds };
}

const ASSET_TABLE = {
  cctv: ['areas', 'area'],
  'cctv-gateway': ['areas', 'area'],
  'pipe-monitor': ['pipeSegments', 'pipe segment'],
  sensor: ['sites', 'site'],
  'transit-beacon': ['routes', 'route'],
} as const;

function referenceError(d: Device, inv: Inventory, kindOf: Map<string, string>): string | undefined {
  if (d.assetId) {
    const [table, noun] = ASSET_TABLE[d.kind];
    if (!inv[table].has(d.assetId))
      return `asset_id: no ${noun} '${d.assetId}' (a ${d.kind}'s asset is a ${noun})`;
  }
  if (d.gatewayId) {
    if (d.kind !== 'cctv') return `gateway_id: only cameras (cctv) have a gateway, this is a ${d.kind}`;
    const kind = kindOf.get(d.gatewayId);
    if (kind === undefined) return `gateway_id: no device '${d.gatewayId}'`;
    if (kind !== 'cctv-gateway') return `gateway_id: '${d.gatewayId}' is a ${kind}, not a cctv-gateway`;
  }
  return undefined;
}

function attributesOf(record: Record<string, string>, known: readonly string[]): Attributes {
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(record)) {
    if (known.includes(k) || v === '') continue;
    out ??= {};
    out[k] = v;
  }
  return out;
}

function withAttributes<T extends object>(row: T, attributes: Attributes): T {
  const clean = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as T;
  return attributes ? { ...clean, attributes } : clean;
}
