// One page of the device registry for GET /api/devices: ordered by id, filtered by kind, district and
// liveness, walked with an opaque keyset cursor (the last id of the page), so a device added or removed
// between two pages never shifts the others — every device present throughout is listed exactly once.
import type { CityEngine } from '../engine/city-engine.js';
import { ONLINE } from '../engine/city-model.js';
import type { Device, DeviceKind, Inventory } from '../registry/inventory.js';
import { districtsOf } from '../registry/inventory.js';

export const PAGE_DEFAULT = 100;
export const PAGE_MAX = 1000;

export interface DeviceFilter {
  kind?: DeviceKind;
  district?: string;
  /** true: only devices not online now (as GET /api/devices/down); false: only those online. */
  down?: boolean;
}

export interface DevicePage {
  devices: Device[];
  /** The cursor of the next page; null on the last one. */
  next: string | null;
  /** Devices matching the filter, over all pages. */
  total: number;
}

/** A cursor is the last id of a page, base64url-encoded: opaque to clients, stable across changes. */
export const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

/** The id after which the page starts; undefined for a cursor this API did not give. */
export function decodeCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return id !== '' && encodeCursor(id) === cursor ? id : undefined;
}

// Sorted ids and district names per inventory: a registry change makes a new devices map, so the cache
// never serves a stale order, and a million devices are sorted once per change, not once per page.
const sortedIds = new WeakMap<ReadonlyMap<string, Device>, string[]>();
const districts = new WeakMap<Inventory, ReadonlySet<string>>();

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function idsOf(inv: Inventory): string[] {
  let ids = sortedIds.get(inv.devices);
  if (!ids) {
    ids = [...inv.devices.keys()].sort(byCodeUnit);
    sortedIds.set(inv.devices, ids);
  }
  return ids;
}

/** The districts a filter may name: every district named in the inventory (docs/contract.md §5 scopes). */
export function knownDistricts(inv: Inventory): ReadonlySet<string> {
  let names = districts.get(inv);
  if (!names) {
    names = new Set(districtsOf(inv));
    districts.set(inv, names);
  }
  return names;
}

/** First index whose id sorts after `id`. */
function firstAfter(ids: string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const ASSETS_OF_KIND: Readonly<Record<DeviceKind, keyof Inventory>> = {
  cctv: 'areas',
  'cctv-gateway': 'areas',
  'pipe-monitor': 'pipeSegments',
  'transit-beacon': 'routes',
  sensor: 'sites',
};

export function devicePage(
  inv: Inventory,
  engine: CityEngine | undefined,
  filter: DeviceFilter,
  limit: number,
  after?: string,
): DevicePage {
  const m = engine?.model;
  const mask = engine?.devices.mask;
  // The engine places a device where docs/contract.md §3 says (its asset's district first) and knows if it is
  // online; a device registered a moment ago, not in its model yet, falls back to the registry's words.
  const districtOf = (d: Device): string | undefined => {
    const i = m?.deviceIndex.get(d.id);
    if (m && i !== undefined) return m.scope[i] > 0 ? m.scopes[m.scope[i]] : undefined;
    const table = inv[ASSETS_OF_KIND[d.kind]] as ReadonlyMap<string, { district?: string }>;
    return (d.assetId ? table.get(d.assetId)?.district : undefined) || d.district || undefined;
  };
  const isDown = (d: Device): boolean => {
    const i = m?.deviceIndex.get(d.id);
    return !mask || i === undefined || (mask[i] & ONLINE) === 0;
  };
  const matches = (d: Device) =>
    (filter.kind === undefined || d.kind === filter.kind) &&
    (filter.district === undefined || districtOf(d) === filter.district) &&
    (filter.down === undefined || isDown(d) === filter.down);

  const ids = idsOf(inv);
  const start = after === undefined ? 0 : firstAfter(ids, after);
  const unfiltered = filter.kind === undefined && filter.district === undefined && filter.down === undefined;
  const devices: Device[] = [];
  let total = unfiltered ? ids.length : 0;
  let next: string | null = null;
  for (let i = unfiltered ? start : 0; i < ids.length; i++) {
    const d = inv.devices.get(ids[i])!;
    if (!unfiltered && !matches(d)) continue;
    if (!unfiltered) total++;
    if (i < start) continue;
    if (devices.length < limit) devices.push(d);
    else if (next === null) {
      next = encodeCursor(devices[devices.length - 1].id);
      if (unfiltered) break;
    }
  }
  return { devices, next, total };
}
