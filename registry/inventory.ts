// The city's inventory as the rest of citygauge sees it: assets (the denominators of the indicators)
// and the devices that cover them. CONTRACT §1. Parsed and validated once at the boundary (import).
import { DEFAULT_TIME_ZONE } from './time-zone.js';

export const DEVICE_KINDS = ['cctv', 'cctv-gateway', 'pipe-monitor', 'transit-beacon', 'sensor'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const AREA_CLASSES = ['key-public', 'key-industry'] as const;
export type AreaClass = (typeof AREA_CLASSES)[number];

export const SITE_CLASSES = ['pollution', 'energy'] as const;
export type SiteClass = (typeof SITE_CLASSES)[number];

/** CONTRACT §1: `expected_interval_s` defaults by kind. */
export const DEFAULT_INTERVAL_S: Readonly<Record<DeviceKind, number>> = {
  cctv: 30,
  'cctv-gateway': 30,
  'pipe-monitor': 60,
  'transit-beacon': 30,
  sensor: 60,
};

/** CONTRACT §1: ids are safe inside an MQTT topic level. */
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
  /** May be empty when the device has an asset: CONTRACT §3 places it in its asset's district. */
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

export interface CityConfig {
  name: string;
  cctvSharingAgreement: boolean;
  /** Window lengths for time-weighted means, as written in city.json (`"1h"`, `"24h"`). */
  windows: string[];
  thresholds: Threshold[];
  /** IANA time zone from city.json; absent (older data dirs, cities that name none) means UTC. */
  timeZone?: string;
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

/** Every district named anywhere in the inventory, sorted: the scopes besides `city` (CONTRACT §5). */
export function districtsOf(inv: Inventory): string[] {
  const names = new Set<string>();
  for (const m of [inv.areas, inv.pipeSegments, inv.sites, inv.routes, inv.devices] as Map<
    string,
    { district?: string }
  >[]) {
    for (const x of m.values()) if (x.district) names.add(x.district);
  }
  return [...names].sort();
}
