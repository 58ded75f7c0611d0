// The sample city's devices (CONTRACT §1 devices.csv): cameras, most behind gateways, pipe monitors,
// bus beacons and site sensors — with deliberate gaps so no indicator is a boring 100 %.

import { DEFAULT_INTERVAL_S } from '../../registry/inventory.js';
import type { Prng } from '../prng.js';
import type { AreaRow, PipeSegmentRow, SiteRow } from './assets.js';
import { apportion, CITY_CENTRE, DISTRICTS, near } from './districts.js';

export interface DeviceRow {
  id: string;
  kind: 'cctv' | 'cctv-gateway' | 'pipe-monitor' | 'transit-beacon' | 'sensor';
  district: string;
  asset_id: string;
  gateway_id: string;
  hd: '' | 'true' | 'false';
  expected_interval_s: number;
  lat: number;
  lon: number;
  model: string;
}

export const CAMERA_COUNT = 2000;
export const DIRECT_CAMERA_COUNT = 300;
export const GATEWAY_COUNT = 40;
/** Areas of each class left without any camera: coverage (L2.2.1.b1, b3) is below 100 %. */
export const UNCOVERED_AREAS = { 'key-public': 4, 'key-industry': 3 } as const;
/** Pipe segments with two monitors, one, none: 2·80 + 540 = 700 monitors over 620 of 800 segments. */
export const PIPE_MONITORING = { double: 80, single: 540 } as const;
export const BUS_COUNT = 100;
/** Sites with two sensors, one, none (the rest): 2·14 + 38 + 2·8 + 48 = 130 sensors. */
export const SITE_MONITORING = { pollution: { double: 14, single: 38 }, energy: { double: 8, single: 48 } };

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const CAMERA_MODELS = ['Axis P3245-LVE', 'Hikvision DS-2CD2143', 'Bosch Flexidome 5100i', 'Hanwha XNV-6080'];
const BUS_MODELS = ['Gillig Low Floor 40', 'New Flyer XDE40', 'Proterra ZX5'];
const DEPOTS = [
  { district: 'northgate', eastKm: 1.5, northKm: 6.2 },
  { district: 'eastfield', eastKm: 6.4, northKm: 1.1 },
];

function device(p: Partial<DeviceRow> & Pick<DeviceRow, 'id' | 'kind' | 'district'>): DeviceRow {
  // Written out although they are the defaults (CONTRACT §1): the file says what the engine assumes.
  const interval = DEFAULT_INTERVAL_S[p.kind];
  return {
    asset_id: '',
    gateway_id: '',
    hd: '',
    expected_interval_s: interval,
    lat: 0,
    lon: 0,
    model: '',
    ...p,
  };
}

function cameras(rng: Prng, areas: AreaRow[]): DeviceRow[] {
  const uncovered = new Set<string>();
  for (const cls of ['key-public', 'key-industry'] as const) {
    const ofClass = rng.shuffle(areas.filter((a) => a.class === cls));
    for (const a of ofClass.slice(0, UNCOVERED_AREAS[cls])) uncovered.add(a.id);
  }
  const covered = areas.filter((a) => !uncovered.has(a.id));
  // A station concourse has dozens of cameras, a school gate two or three.
  const weights = covered.map((a) => rng.logNormal(a.class === 'key-public' ? 1 : 0.6, 0.6));
  const perArea = apportion(CAMERA_COUNT - covered.length, weights).map((n) => n + 1);
  const rows: DeviceRow[] = [];
  covered.forEach((area, i) => {
    for (let k = 0; k < perArea[i]; k++) {
      rows.push(
        device({
          id: `cam-${pad(rows.length + 1, 4)}`,
          kind: 'cctv',
          district: area.district,
          asset_id: area.id,
          hd: rng.chance(0.7) ? 'true' : 'false',
          ...near(area, 0.08 * rng.normal(), 0.08 * rng.normal()),
          model: rng.pick(CAMERA_MODELS),
        }),
      );
    }
  });
  return rows;
}

/** Cameras not wired directly report through a district gateway (CONTRACT §1 gateway_id). */
function gateways(rng: Prng, cams: DeviceRow[]): DeviceRow[] {
  const direct = new Set(rng.shuffle(cams.map((c) => c.id)).slice(0, DIRECT_CAMERA_COUNT));
  const behind = DISTRICTS.map((d) => cams.filter((c) => c.district === d.id && !direct.has(c.id)));
  const perDistrict = apportion(
    GATEWAY_COUNT,
    behind.map((b) => b.length),
  );
  const rows: DeviceRow[] = [];
  DISTRICTS.forEach((d, i) => {
    const served = behind[i];
    const g = perDistrict[i];
    for (let k = 0; k < g; k++) {
      const id = `gw-${pad(rows.length + 1, 2)}`;
      // Neighbouring cameras (same area, consecutive ids) share a cabinet, hence a gateway.
      const mine = served.slice(
        Math.floor((k * served.length) / g),
        Math.floor(((k + 1) * served.length) / g),
      );
      for (const c of mine) c.gateway_id = id;
      const lat = mine.reduce((s, c) => s + c.lat, 0) / mine.length;
      const lon = mine.reduce((s, c) => s + c.lon, 0) / mine.length;
      rows.push(
        device({
          id,
          kind: 'cctv-gateway',
          district: d.id,
          lat: Math.round(lat * 1e6) / 1e6,
          lon: Math.round(lon * 1e6) / 1e6,
          model: 'Moxa UC-8200',
        }),
      );
    }
  });
  return rows;
}

function pipeMonitors(rng: Prng, segments: PipeSegmentRow[]): DeviceRow[] {
  const shuffled = rng.shuffle([...segments]);
  const monitorsOf = new Map<string, number>();
  shuffled.forEach((s, i) => {
    monitorsOf.set(
      s.id,
      i < PIPE_MONITORING.double ? 2 : i < PIPE_MONITORING.double + PIPE_MONITORING.single ? 1 : 0,
    );
  });
  const rows: DeviceRow[] = [];
  for (const s of segments) {
    const district = DISTRICTS.find((d) => d.id === s.district)!;
    for (let k = 0; k < monitorsOf.get(s.id)!; k++) {
      const at = near(
        CITY_CENTRE,
        district.offsetKm[0] + 1.5 * rng.normal(),
        district.offsetKm[1] + 1.5 * rng.normal(),
      );
      rows.push(
        device({
          id: `pm-${pad(rows.length + 1, 4)}`,
          kind: 'pipe-monitor',
          district: s.district,
          asset_id: s.id,
          ...at,
          model: 'Syrinix PIPEMINDER-ONE',
        }),
      );
    }
  }
  return rows;
}

function beacons(rng: Prng): DeviceRow[] {
  return Array.from({ length: BUS_COUNT }, (_, i) => {
    const depot = DEPOTS[i % 5 < 3 ? 0 : 1];
    return device({
      id: `bus-${pad(i + 1, 3)}`,
      kind: 'transit-beacon',
      district: depot.district,
      ...near(CITY_CENTRE, depot.eastKm, depot.northKm),
      model: rng.pick(BUS_MODELS),
    });
  });
}

function sensors(rng: Prng, sites: SiteRow[]): DeviceRow[] {
  const sensorsOf = new Map<string, number>();
  for (const cls of ['pollution', 'energy'] as const) {
    const { double, single } = SITE_MONITORING[cls];
    rng.shuffle(sites.filter((s) => s.class === cls)).forEach((s, i) => {
      sensorsOf.set(s.id, i < double ? 2 : i < double + single ? 1 : 0);
    });
  }
  const rows: DeviceRow[] = [];
  for (const s of sites) {
    for (let k = 0; k < sensorsOf.get(s.id)!; k++) {
      rows.push(
        device({
          id: `sen-${pad(rows.length + 1, 3)}`,
          kind: 'sensor',
          district: s.district,
          asset_id: s.id,
          ...near(s, 0.05 * rng.normal(), 0.05 * rng.normal()),
          model: s.class === 'pollution' ? 'Aeroqual AQS 1' : 'Schneider PM5560',
        }),
      );
    }
  }
  return rows;
}

export function buildDevices(rng: Prng, areas: AreaRow[], segments: PipeSegmentRow[], sites: SiteRow[]) {
  const cams = cameras(rng.fork('cameras'), areas);
  const gws = gateways(rng.fork('gateways'), cams);
  return [
    ...gws,
    ...cams,
    ...pipeMonitors(rng.fork('pipes'), segments),
    ...beacons(rng.fork('buses')),
    ...sensors(rng.fork('sensors'), sites),
  ];
}
