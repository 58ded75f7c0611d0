// What a generated city is made of: its place, districts and how many of each thing it has. The sample
// city is one shape; `metro` is a larger, different one (25,000+ devices, twelve districts, another time
// zone, synthetic transit) for benchmarks and the cluster's replay checks. Any shape can be scaled.
import { type District, METRO_DISTRICTS, SAMPLE_DISTRICTS } from './districts.js';

export interface Depot {
  district: string;
  eastKm: number;
  northKm: number;
  /** Buses garaged here, relative to the other depots. */
  share: number;
}

export interface CityShape {
  name: string;
  timeZone: string;
  centre: { lat: number; lon: number };
  districts: readonly District[];
  areas: { 'key-public': number; 'key-industry': number };
  pipeSegments: number;
  sites: { pollution: number; energy: number };
  cameras: number;
  directCameras: number;
  gateways: number;
  /** Areas of each class left without any camera: coverage (L2.2.1.b1, b3) is below 100 %. */
  uncoveredAreas: { 'key-public': number; 'key-industry': number };
  /** Pipe segments with two monitors and with one; the rest have none. */
  pipeMonitoring: { double: number; single: number };
  buses: number;
  depots: readonly Depot[];
  /** Sites with two sensors and with one, per class; the rest have none. */
  siteMonitoring: {
    pollution: { double: number; single: number };
    energy: { double: number; single: number };
  };
  /** Real routes and stops picked from a GTFS feed, or made up around the centre. */
  transit: { source: 'gtfs' | 'synthetic'; routes: number; stops: number };
  /** Alert thresholds written into city.json. */
  thresholds: readonly Record<string, string | number>[];
}

export const SAMPLE_SHAPE: CityShape = {
  name: 'Sample City',
  // VTA's own zone (GTFS agency.txt agency_timezone): San José.
  timeZone: 'America/Los_Angeles',
  centre: { lat: 37.3382, lon: -121.8863 },
  districts: SAMPLE_DISTRICTS,
  areas: { 'key-public': 60, 'key-industry': 24 },
  pipeSegments: 800,
  sites: { pollution: 60, energy: 60 },
  cameras: 2000,
  directCameras: 300,
  gateways: 40,
  uncoveredAreas: { 'key-public': 4, 'key-industry': 3 },
  // 2·80 + 540 = 700 monitors over 620 of 800 segments.
  pipeMonitoring: { double: 80, single: 540 },
  buses: 100,
  depots: [
    { district: 'northgate', eastKm: 1.5, northKm: 6.2, share: 3 },
    { district: 'eastfield', eastKm: 6.4, northKm: 1.1, share: 2 },
  ],
  // 2·14 + 38 + 2·8 + 48 = 130 sensors.
  siteMonitoring: { pollution: { double: 14, single: 38 }, energy: { double: 8, single: 48 } },
  transit: { source: 'gtfs', routes: 60, stops: 300 },
  thresholds: [
    { indicator: 'L2.2.1.b4', scope: 'city', below: 95, clearAt: 96, forS: 300, severity: 'major' },
    // A target the city has not reached yet: the pipe network alert is raised ten minutes in and stays.
    { indicator: 'L2.1.1', scope: 'city', below: 80, clearAt: 82, forS: 600, severity: 'minor' },
    // Any gateway failure (39 of 40 online) outlasting two minutes.
    {
      indicator: 'availability.cctv-gateway',
      scope: 'city',
      below: 98,
      clearAt: 100,
      forS: 120,
      severity: 'critical',
    },
  ],
};

/**
 * A made-up metropolis on the Front Range (Denver's zone, no real feed): about 8.5 times the sample's
 * devices, more of them pipe monitors, 64 cameras behind each gateway instead of ~42, four bus depots.
 */
export const METRO_SHAPE: CityShape = {
  name: 'Front Range Metro',
  timeZone: 'America/Denver',
  centre: { lat: 39.7392, lon: -104.9903 },
  districts: METRO_DISTRICTS,
  areas: { 'key-public': 420, 'key-industry': 180 },
  pipeSegments: 8000,
  sites: { pollution: 300, energy: 320 },
  cameras: 16000,
  directCameras: 1664,
  gateways: 224,
  uncoveredAreas: { 'key-public': 21, 'key-industry': 17 },
  pipeMonitoring: { double: 1100, single: 5300 },
  buses: 800,
  depots: [
    { district: 'stockyards', eastKm: -2.5, northKm: 6.5, share: 3 },
    { district: 'airport-gate', eastKm: 14, northKm: 4, share: 2 },
    { district: 'foothills', eastKm: -11, northKm: -2, share: 2 },
    { district: 'tech-centre', eastKm: 4, northKm: -13, share: 1 },
  ],
  siteMonitoring: { pollution: { double: 70, single: 150 }, energy: { double: 50, single: 220 } },
  transit: { source: 'synthetic', routes: 180, stops: 1800 },
  thresholds: [
    { indicator: 'L2.2.1.b4', scope: 'city', below: 97, clearAt: 98, forS: 600, severity: 'major' },
    { indicator: 'L2.1.1', scope: 'city', below: 85, clearAt: 87, forS: 900, severity: 'minor' },
    {
      indicator: 'availability.cctv-gateway',
      scope: 'city',
      below: 99,
      clearAt: 100,
      forS: 180,
      severity: 'critical',
    },
  ],
};

export const SHAPES: Readonly<Record<string, CityShape>> = { sample: SAMPLE_SHAPE, metro: METRO_SHAPE };

export class ShapeError extends Error {
  readonly code = 'ERR_CITY_SHAPE';
}

export function deviceCount(s: CityShape): number {
  const sensors = s.siteMonitoring.pollution.double * 2 + s.siteMonitoring.pollution.single;
  const energy = s.siteMonitoring.energy.double * 2 + s.siteMonitoring.energy.single;
  const monitors = s.pipeMonitoring.double * 2 + s.pipeMonitoring.single;
  return s.cameras + s.gateways + monitors + s.buses + sensors + energy;
}

/** The same city `devices / deviceCount(shape)` times as large: every count scaled, gaps kept in proportion. */
export function scaleShape(s: CityShape, devices: number): CityShape {
  if (!Number.isInteger(devices) || devices < 100)
    throw new ShapeError(`--devices must be a whole number of at least 100, got ${devices}`);
  const f = devices / deviceCount(s);
  const n = (x: number) => Math.max(1, Math.round(x * f));
  const pair = <K extends string>(o: Record<K, number>) =>
    Object.fromEntries(Object.entries<number>(o).map(([k, v]) => [k, n(v)])) as Record<K, number>;
  const scaled: CityShape = {
    ...s,
    areas: pair(s.areas),
    pipeSegments: n(s.pipeSegments),
    sites: pair(s.sites),
    cameras: n(s.cameras),
    directCameras: n(s.directCameras),
    gateways: n(s.gateways),
    // Gaps may close in a small city; every other count keeps at least one.
    uncoveredAreas: {
      'key-public': Math.round(s.uncoveredAreas['key-public'] * f),
      'key-industry': Math.round(s.uncoveredAreas['key-industry'] * f),
    },
    pipeMonitoring: pair(s.pipeMonitoring),
    buses: n(s.buses),
    siteMonitoring: { pollution: pair(s.siteMonitoring.pollution), energy: pair(s.siteMonitoring.energy) },
    transit: { ...s.transit, routes: n(s.transit.routes), stops: Math.max(30, n(s.transit.stops)) },
  };
  checkShape(scaled);
  return scaled;
}

/** Counts that cannot be laid out (more uncovered areas than areas, ...) are refused with the reason. */
export function checkShape(s: CityShape): void {
  const problems: string[] = [];
  for (const cls of ['key-public', 'key-industry'] as const)
    if (s.uncoveredAreas[cls] >= s.areas[cls]) problems.push(`every ${cls} area would be uncovered`);
  const covered =
    s.areas['key-public'] +
    s.areas['key-industry'] -
    s.uncoveredAreas['key-public'] -
    s.uncoveredAreas['key-industry'];
  if (s.cameras < covered) problems.push(`${s.cameras} cameras cannot cover ${covered} areas`);
  if (s.gateways > s.cameras - s.directCameras) problems.push('more gateways than cameras behind them');
  if (s.pipeMonitoring.double + s.pipeMonitoring.single > s.pipeSegments)
    problems.push('more monitored pipe segments than segments');
  for (const cls of ['pollution', 'energy'] as const) {
    const m = s.siteMonitoring[cls];
    if (m.double + m.single > s.sites[cls]) problems.push(`more monitored ${cls} sites than sites`);
  }
  if (problems.length) throw new ShapeError(`this city cannot be laid out: ${problems.join('; ')}`);
}
