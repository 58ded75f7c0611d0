// The committed sample city is what examples/generate-city.ts makes, and it is a city the registry
// accepts whole: the stated counts, every reference resolving, real VTA routes and stops.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, generateSampleCity } from '../../examples/generate-city.js';
import { ID_PATTERN, type Inventory } from '../../registry/inventory.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { loadTripRoutes } from '../../registry/trips-file.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const VTA = fileURLToPath(new URL('../../examples/gtfs-vta/', import.meta.url));
const DATA_FILES = [
  'areas.csv',
  'city.json',
  'devices.csv',
  'pipe_segments.csv',
  'routes.txt',
  'sites.csv',
  'stops.txt',
  'trips.txt',
];

const gtfs = (path: string) =>
  parse(readFileSync(path), { columns: true, bom: true }) as Record<string, string>[];
const countBy = <T>(xs: Iterable<T>, key: (x: T) => string) => {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
};

let inv: Inventory;

beforeAll(async () => {
  const { inventory, errors } = await loadInventoryDir(SAMPLE, { strict: true });
  expect(errors).toEqual([]);
  inv = inventory;
});

describe('examples/sample-city', () => {
  it('is exactly what generate-city.ts writes for the default seed', () => {
    const out = mkdtempSync(join(tmpdir(), 'citygauge-city-'));
    generateSampleCity(out, DEFAULT_SEED);
    expect(readdirSync(out).sort()).toEqual(DATA_FILES);
    for (const f of DATA_FILES)
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(SAMPLE, f), 'utf8'));
  });

  it('makes a different city for another seed', () => {
    const out = mkdtempSync(join(tmpdir(), 'citygauge-city-'));
    generateSampleCity(out, DEFAULT_SEED + 1);
    expect(readFileSync(join(out, 'devices.csv'), 'utf8')).not.toBe(
      readFileSync(join(SAMPLE, 'devices.csv'), 'utf8'),
    );
  });

  it('has the stated assets in six districts', () => {
    expect(countBy(inv.areas.values(), (a) => a.class)).toEqual({ 'key-public': 60, 'key-industry': 24 });
    expect(inv.pipeSegments.size).toBe(800);
    expect(inv.routes.size).toBe(60);
    expect(countBy(inv.sites.values(), (s) => s.class)).toEqual({ pollution: 60, energy: 60 });
    const districts = new Set(
      [...inv.areas.values(), ...inv.pipeSegments.values(), ...inv.sites.values()].map((x) => x.district),
    );
    expect([...districts].sort()).toEqual([
      'eastfield',
      'harbor',
      'northgate',
      'old-town',
      'riverside',
      'university',
    ]);
    expect(inv.city).toMatchObject({
      name: 'Sample City',
      cctvSharingAgreement: true,
      windows: ['1h', '24h'],
    });
    expect(inv.city.thresholds[0]).toEqual({
      indicator: 'L2.2.1.b4',
      scope: 'city',
      below: 95,
      clearAt: 96,
      forS: 300,
      severity: 'major',
    });
  });

  it('has the stated devices', () => {
    const devices = [...inv.devices.values()];
    expect(countBy(devices, (d) => d.kind)).toEqual({
      cctv: 2000,
      'cctv-gateway': 40,
      'pipe-monitor': 700,
      'transit-beacon': 100,
      sensor: 130,
    });
    const cameras = devices.filter((d) => d.kind === 'cctv');
    expect(cameras.filter((c) => c.gatewayId).length).toBe(1700);
    expect(cameras.filter((c) => c.hd).length / cameras.length).toBeCloseTo(0.7, 1);
    for (const d of devices) expect(d.id).toMatch(ID_PATTERN);
    expect(devices.map((d) => d.id)).toEqual(
      expect.arrayContaining(['cam-0001', 'gw-01', 'pm-0001', 'bus-001', 'sen-001']),
    );
  });

  it('leaves gaps: areas without cameras, segments without monitors, sites without sensors', () => {
    const devices = [...inv.devices.values()];
    const covered = (kind: string) =>
      countBy(
        devices.filter((d) => d.kind === kind),
        (d) => d.assetId!,
      );
    const cams = covered('cctv');
    const uncovered = [...inv.areas.values()].filter((a) => !cams[a.id]);
    expect(countBy(uncovered, (a) => a.class)).toEqual({ 'key-public': 4, 'key-industry': 3 });
    const monitors = covered('pipe-monitor');
    expect(countBy(inv.pipeSegments.values(), (s) => String(monitors[s.id] ?? 0))).toEqual({
      '0': 180,
      '1': 540,
      '2': 80,
    });
    const sensors = covered('sensor');
    const unmonitored = [...inv.sites.values()].filter((s) => !sensors[s.id]);
    expect(countBy(unmonitored, (s) => s.class)).toEqual({ pollution: 8, energy: 4 });
  });

  it('is internally consistent: assets exist, districts agree, gateways are gateways', () => {
    const table = { cctv: inv.areas, 'pipe-monitor': inv.pipeSegments, sensor: inv.sites } as const;
    for (const d of inv.devices.values()) {
      if (d.kind === 'cctv' || d.kind === 'pipe-monitor' || d.kind === 'sensor') {
        const asset = table[d.kind].get(d.assetId!);
        expect(asset, `${d.id} → ${d.assetId}`).toBeDefined();
        expect(d.district).toBe(asset!.district);
      } else expect(d.assetId, d.id).toBeUndefined();
      if (d.gatewayId) {
        const gw = inv.devices.get(d.gatewayId);
        expect(gw?.kind, `${d.id} → ${d.gatewayId}`).toBe('cctv-gateway');
        expect(gw!.district).toBe(d.district);
      }
      expect(Math.abs(d.lat! - 37.34)).toBeLessThan(0.15);
      expect(Math.abs(d.lon! + 121.89)).toBeLessThan(0.15);
    }
    const gateways = countBy(
      [...inv.devices.values()].filter((d) => d.gatewayId),
      (d) => d.gatewayId!,
    );
    expect(Object.keys(gateways)).toHaveLength(40); // every gateway serves cameras
    for (const s of inv.pipeSegments.values()) expect(s.lengthM).toBeGreaterThanOrEqual(50);
    for (const s of inv.pipeSegments.values()) expect(s.lengthM).toBeLessThanOrEqual(1500);
  });

  it('copies real VTA routes and stops cell for cell', () => {
    const vtaRoutes = new Map(gtfs(join(VTA, 'routes.txt')).map((r) => [r.route_id, r]));
    for (const r of gtfs(join(SAMPLE, 'routes.txt'))) {
      const { district, ...cells } = r;
      const vta = vtaRoutes.get(r.route_id)!;
      expect(cells).toEqual({
        route_id: vta.route_id,
        agency_id: vta.agency_id,
        route_short_name: vta.route_short_name,
        route_long_name: vta.route_long_name,
        route_type: vta.route_type,
      });
      expect(['eastfield', 'harbor', 'northgate', 'old-town', 'riverside', 'university']).toContain(district);
    }
    const vtaStops = new Map(gtfs(join(VTA, 'stops.txt')).map((s) => [s.stop_id, s]));
    const stops = gtfs(join(SAMPLE, 'stops.txt'));
    expect(stops).toHaveLength(300);
    for (const s of stops) expect(s).toEqual(vtaStops.get(s.stop_id));
  });

  it("keeps every VTA trip of its routes, and only those, for GTFS-Realtime feeds' trip ids", async () => {
    const vtaTrips = gtfs(join(VTA, 'trips.txt'));
    const mine = vtaTrips.filter((t) => inv.routes.has(t.route_id));
    const { routes, errors } = await loadTripRoutes(join(SAMPLE, 'trips.txt'));
    expect(errors).toEqual([]);
    expect(routes.size).toBe(mine.length);
    expect(routes.size).toBeGreaterThan(5000);
    for (const t of mine) expect(routes.get(t.trip_id)).toBe(t.route_id);
    // VTA's trips.txt names all its routes but one of the sample city's: that one counts only by route_id.
    expect(new Set(routes.values()).size).toBe(59);
  });
  it('ships an outline for each district, and every placed area, site and device lies in its own only', () => {
    // Ray casting over [lon, lat] rings: the textbook test, independent of how the generator drew them.
    const inRing = (ring: number[][], lon: number, lat: number) => {
      let inside = false;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    };
    const declared = inv.city.districts ?? [];
    expect(declared.map((d) => [d.id, d.outline?.type])).toEqual(
      ['old-town', 'harbor', 'northgate', 'riverside', 'university', 'eastfield'].map((id) => [
        id,
        'Polygon',
      ]),
    );
    const rings = new Map(declared.map((d) => [d.id, (d.outline!.coordinates as number[][][])[0]]));
    // The registry keeps devices' positions; areas' and sites' are in their files.
    const assets = ['areas.csv', 'sites.csv'].flatMap((f) =>
      gtfs(join(SAMPLE, f)).map((r) => ({
        id: r.id,
        district: r.district,
        lat: Number(r.lat),
        lon: Number(r.lon),
      })),
    );
    const places = [...assets, ...inv.devices.values()].filter(
      (p): p is typeof p & { district: string; lat: number; lon: number } =>
        p.district !== undefined && p.lat !== undefined && p.lon !== undefined,
    );
    expect(places.length).toBe(84 + 120 + 2970);
    const misplaced = places
      .map((p) => ({
        id: p.id,
        district: p.district,
        in: [...rings].filter(([, r]) => inRing(r, p.lon, p.lat)),
      }))
      .filter((p) => p.in.length !== 1 || p.in[0][0] !== p.district)
      .map((p) => `${p.id} (${p.district}) in ${p.in.map(([d]) => d).join(', ') || 'none'}`);
    expect(misplaced).toEqual([]);
  });
});
