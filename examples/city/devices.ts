// A generated city's devices (docs/contract.md §1 devices.csv): cameras, most behind gateways, pipe monitors,
// bus beacons and site sensors — with deliberate gaps so no indicator is a boring 100 %.

import { DEFAULT_INTERVAL_S } from '../../registry/inventory.js';
import type { Prng } from '../prng.js';
import { type AreaRow, idWidth, type PipeSegmentRow, type SiteRow } from './assets.js';
import { apportion, near } from './districts.js';
import { type CityShape, SAMPLE_SHAPE } from './shape.js';

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

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const CAMERA_MODELS = ['Axis P3245-LVE', 'Hikvision DS-2CD2143', 'Bosch Flexidome 5100i', 'Hanwha XNV-6080'];
const BUS_MODELS = ['Gillig Low Floor 40', 'New Flyer XDE40', 'Proterra ZX5'];

function device(p: Partial<DeviceRow> & Pick<DeviceRow, 'id' | 'kind' | 'district'>): DeviceRow {
  // Written out although they are the defaults (docs/contract.md §1): the file says what the engine assumes.
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

function cameras(rng: Prng, areas: AreaRow[], shape: CityShape): DeviceRow[] {
  const uncovered = new Set<string>();
  for (const cls of ['key-public', 'key-industry'] as const) {
    const ofClass = rng.shuffle(areas.filter((a) => a.class === cls));
    for (const a of ofClass.slice(0, shape.uncoveredAreas[cls])) uncovered.add(a.id);
  }
  const covered = areas.filter((a) => !uncovered.has(a.id));
  // A station concourse has dozens of cameras, a school gate two or three.
  const weights = covered.map((a) => rng.logNormal(a.class === 'key-public' ? 1 : 0.6, 0.6));
  const perArea = apportion(shape.cameras - covered.length, weights).map((n) => n + 1);
  const width = idWidth(shape.cameras, 4);
  const rows: DeviceRow[] = [];
  covered.forEach((area, i) => {
    for (let k = 0; k < perArea[i]; k++) {
      rows.push(
        device({
          id: `cam-${pad(rows.length + 1, width)}`,
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

/** Cameras not wired directly report through a district gateway (docs/contract.md §1 gateway_id). */
function gateways(rng: Prng, cams: DeviceRow[], shape: CityShape): DeviceRow[] {
  const direct = new Set(rng.shuffle(cams.map((c) => c.id)).slice(0, shape.directCameras));
  const behind = shape.districts.map((d) => cams.filter((c) => c.district === d.id && !direct.has(c.id)));
  const perDistrict = apportion(
    shape.gateways,
    behind.map((b) => b.length),
  );
  const width = idWidth(shape.gateways, 2);
  const rows: DeviceRow[] = [];
  shape.districts.forEach((d, i) => {
    const served = behind[i];
    const g = perDistrict[i];
    for (let k = 0; k < g; k++) {
      const id = `gw-${pad(rows.length + 1, width)}`;
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

function pipeMonitors(rng: Prng, segments: PipeSegmentRow[], shape: CityShape): DeviceRow[] {
  const shuffled = rng.shuffle([...segments]);
  const { double, single } = shape.pipeMonitoring;
  const monitorsOf = new Map<string, number>();
  shuffled.forEach((s, i) => {
    monitorsOf.set(s.id, i < double ? 2 : i < double + single ? 1 : 0);
  });
  const districts = new Map(shape.districts.map((d) => [d.id, d]));
  const width = idWidth(2 * double + single, 4);
  const rows: DeviceRow[] = [];
  for (const s of segments) {
    const district = districts.get(s.district)!;
    for (let k = 0; k < monitorsOf.get(s.id)!; k++) {
      const at = near(
        shape.centre,
        district.offsetKm[0] + 1.5 * rng.normal(),
        district.offsetKm[1] + 1.5 * rng.normal(),
      );
      rows.push(
        device({
          id: `pm-${pad(rows.length + 1, width)}`,
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

/** Depot of the i-th bus: round the depots, each taking `share` buses of every round. */
function depotOf(shape: CityShape, i: number) {
  const round = shape.depots.reduce((a, d) => a + d.share, 0);
  let k = i % round;
  for (const depot of shape.depots) {
    if (k < depot.share) return depot;
    k -= depot.share;
  }
  throw new Error('unreachable: a depot share is not a positive whole number');
}

function beacons(rng: Prng, shape: CityShape): DeviceRow[] {
  const width = idWidth(shape.buses, 3);
  return Array.from({ length: shape.buses }, (_, i) => {
    const depot = depotOf(shape, i);
    return device({
      id: `bus-${pad(i + 1, width)}`,
      kind: 'transit-beacon',
      district: depot.district,
      ...near(shape.centre, depot.eastKm, depot.northKm),
      model: rng.pick(BUS_MODELS),
    });
  });
}

function sensors(rng: Prng, sites: SiteRow[], shape: CityShape): DeviceRow[] {
  const sensorsOf = new Map<string, number>();
  let total = 0;
  for (const cls of ['pollution', 'energy'] as const) {
    const { double, single } = shape.siteMonitoring[cls];
    total += 2 * double + single;
    rng.shuffle(sites.filter((s) => s.class === cls)).forEach((s, i) => {
      sensorsOf.set(s.id, i < double ? 2 : i < double + single ? 1 : 0);
    });
  }
  const width = idWidth(total, 3);
  const rows: DeviceRow[] = [];
  for (const s of sites) {
    for (let k = 0; k < sensorsOf.get(s.id)!; k++) {
      rows.push(
        device({
          id: `sen-${pad(rows.length + 1, width)}`,
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

export function buildDevices(
  rng: Prng,
  areas: AreaRow[],
  segments: PipeSegmentRow[],
  sites: SiteRow[],
  shape: CityShape = SAMPLE_SHAPE,
) {
  const cams = cameras(rng.fork('cameras'), areas, shape);
  const gws = gateways(rng.fork('gateways'), cams, shape);
  return [
    ...gws,
    ...cams,
    ...pipeMonitors(rng.fork('pipes'), segments, shape),
    ...beacons(rng.fork('buses'), shape),
    ...sensors(rng.fork('sensors'), sites, shape),
  ];
}
