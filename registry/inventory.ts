// The city's inventory as the rest of citygauge sees it: assets (the denominators of the indicators)
// and the devices that cover them. docs/contract.md §1. Parsed and validated once at the boundary (import).
import { DEFAULT_TIME_ZONE } from './time-zone.js';

export const DEVICE_KINDS = ['cctv', 'cctv-gateway', 'pipe-monitor', 'transit-beacon', 'sensor'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const AREA_CLASSES = ['key-public', 'key-industry'] as const;
export type AreaClass = (typeof AREA_CLASSES)[number];

export const SITE_CLASSES = ['pollution', 'energy'] as const;
export type SiteClass = (typeof SITE_CLASSES)[number];

/** docs/contract.md §1: `expected_interval_s` defaults by kind. */
export const DEFAULT_INTERVAL_S: Readonly<Record<DeviceKind, number>> = {
  cctv: 30,
  'cctv-gateway': 30,
  'pipe-monitor': 60,
  'transit-beacon': 30,
  sensor: 60,
};

/** docs/contract.md §1: ids are safe inside an MQTT topic level. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Columns beyond the contract's are kept as attributes; absent when there are none (saves memory at 1M devices). */
export type Attributes = Record<string, string> | undefined;

export interface Area {
  id: string;
  class: AreaClass;
  district: string;
  name: string;
  attributes?: Attributes;
}

export interface PipeSegment {
  id: string;
  lengthM: number;
  district: string;
  attributes?: Attributes;
}

export interface Route {
  id: string;
  shortName?: string;
  longName?: string;
  type?: number;
  /** GTFS has no district; a city may add the column. Without it a route counts for the city scope only. */
  district?: string;
  attributes?: Attributes;
}

export interface Site {
  id: string;
  class: SiteClass;
  district: string;
  name: string;
  attributes?: Attributes;
}

export interface Device {
  id: string;
  kind: DeviceKind;
  /** May be empty when the device has an asset: docs/contract.md §3 places it in its asset's district. */
  district?: string;
  /** cctv → area, pipe-monitor → pipe segment, sensor → site, transit-beacon → route (optional). */
  assetId?: string;
  /** cctv only: the cctv-gateway that reports for this camera. */
  gatewayId?: string;
  hd: boolean;
  expectedIntervalS: number;
  lat?: number;
  lon?: number;
  attributes?: Attributes;
}

export type Severity = 'minor' | 'major' | 'critical';

export interface Threshold {
  indicator: string;
  scope: string;
  below: number;
  clearAt: number;
  forS: number;
  severity: Severity;
}

/** An objective on an indicator (issue 14 item 5): its error budget is 1 − target/100 of `window`. */
export interface Objective {
  indicator: string;
  /** `city` or a district. */
  scope: string;
  /** Percent, 0 < target < 100: 99.5 means the indicator at 100 % for 99.5 % of the window. */
  target: number;
  /** e.g. `"30d"`. */
  window: string;
}

/** A district the city declares in city.json: its id (the topic level), a name for people, an outline. */
export interface DistrictDeclaration {
  id: string;
  name: string;
  /** A GeoJSON Polygon or MultiPolygon geometry, [lon, lat]. */
  outline?: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

export interface CityConfig {
  name: string;
  cctvSharingAgreement: boolean;
  /** Window lengths for time-weighted means, as written in city.json (`"1h"`, `"24h"`). */
  windows: string[];
  thresholds: Threshold[];
  /** Error-budget objectives; absent (older data dirs) means none. */
  objectives?: Objective[];
  /** IANA time zone from city.json; absent (older data dirs, cities that name none) means UTC. */
  timeZone?: string;
  /**
   * The city's districts (issue 10 item 2). Absent: not declared, and every district a row names is one
   * (an inventory as docs/contract.md §1 has it); `citygauge start` and `import` then declare what the registry holds.
   */
  districts?: DistrictDeclaration[];
  /** How failures group into incidents (docs/incidents.md); absent means the defaults. */
  incidents?: IncidentRuleConfig;
}

/** city.json `incidents`: times in seconds, the share in percent. */
export interface IncidentRuleConfig {
  districtWindowS: number;
  districtMinDevices: number;
  districtMinShare: number;
  holdS: number;
}

export interface Inventory {
  city: CityConfig;
  areas: Map<string, Area>;
  pipeSegments: Map<string, PipeSegment>;
  routes: Map<string, Route>;
  sites: Map<string, Site>;
  devices: Map<string, Device>;
}

export function defaultCityConfig(): CityConfig {
  return { name: 'City', cctvSharingAgreement: false, windows: ['1h', '24h'], thresholds: [] };
}

export function emptyInventory(city: CityConfig = defaultCityConfig()): Inventory {
  return {
    city,
    areas: new Map(),
    pipeSegments: new Map(),
    routes: new Map(),
    sites: new Map(),
    devices: new Map(),
  };
}

/** The zone times are shown in: the city's, else UTC. */
export const cityTimeZone = (city: Pick<CityConfig, 'timeZone'>): string =>
  city.timeZone ?? DEFAULT_TIME_ZONE;

/**
 * Every district declared or named anywhere in the inventory, sorted: the scopes besides `city`
 * (docs/contract.md §5). A declared district with no assets or devices yet is a scope too.
 */
export function districtsOf(inv: Inventory): string[] {
  const names = new Set<string>(inv.city.districts?.map((d) => d.id));
  for (const m of [inv.areas, inv.pipeSegments, inv.sites, inv.routes, inv.devices] as Map<
    string,
    { district?: string }
  >[]) {
    for (const x of m.values()) if (x.district) names.add(x.district);
  }
  return [...names].sort();
}

/**
 * Why a row naming `district` is refused: the city declares its districts and this is not one of them.
 * Undefined when it is declared, or when the city declares none.
 */
export function unknownDistrict(city: CityConfig, district: string | undefined): string | undefined {
  if (!district || !city.districts) return undefined;
  let ids = declaredIds.get(city.districts);
  if (!ids) {
    ids = new Set(city.districts.map((d) => d.id));
    declaredIds.set(city.districts, ids);
  }
  if (ids.has(district)) return undefined;
  return `unknown district '${shorten(district)}' (known: ${knownDistricts(city.districts)})`;
}

// An import checks a million rows against the same list: its ids as a set, once per list.
const declaredIds = new WeakMap<readonly DistrictDeclaration[], Set<string>>();

const shorten = (s: string) => (s.length > 64 ? `${s.slice(0, 61)}...` : s);

/** The declared ids for an error message: the first 20, then how many more. */
function knownDistricts(list: readonly DistrictDeclaration[]): string {
  if (list.length === 0) return 'none: declare them in city.json "districts"';
  const ids = list.slice(0, 20).map((d) => d.id);
  return list.length > 20 ? `${ids.join(', ')} and ${list.length - 20} more` : ids.join(', ');
}
