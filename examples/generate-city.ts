// Writes examples/sample-city/: a realistic, seeded sample city (CONTRACT §1 files). Rerunnable:
//   node dist/examples/generate-city.js [outDir] [seed]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { Rng } from './prng.js';

export const DISTRICTS = ['harbor', 'old-town', 'northgate', 'riverside', 'university', 'eastfield'] as const;
const CENTRE = { lat: 37.3382, lon: -121.8863 };
const GTFS = fileURLToPath(new URL('../../../shared/data/gtfs-vta/', import.meta.url));
const PUBLIC_PLACES = [
  'Plaza',
  'Station',
  'Market',
  'Park',
  'Square',
  'Bus Terminal',
  'Library',
  'Stadium',
  'Pier',
  'Mall',
];
const INDUSTRY_PLACES = ['Water Works', 'Depot', 'Substation', 'Logistics Yard'];

const csv = (header: string[], rows: (string | number | boolean | undefined)[][]) =>
  `${[header, ...rows].map((r) => r.map((v) => csvCell(v ?? '')).join(',')).join('\n')}\n`;
const csvCell = (v: string | number | boolean) =>
  /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
const title = (d: string) => d.replace(/(^|-)(\w)/g, (_, sep, c) => (sep ? ' ' : '') + c.toUpperCase());
const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function generateSampleCity(outDir: string, seed = 2026, gtfsDir = GTFS): void {
  const rng = new Rng(seed);
  const near = (spread = 0.06) => ({
    lat: +(CENTRE.lat + rng.normal() * spread).toFixed(6),
    lon: +(CENTRE.lon + rng.normal() * spread * 1.25).toFixed(6),
  });
  mkdirSync(outDir, { recursive: true });

  // Areas: 10 key-public and 4 key-industry per district.
  const areas: { id: string; cls: string; district: string; name: string }[] = [];
  for (const d of DISTRICTS) {
    PUBLIC_PLACES.forEach((p, i) =>
      areas.push({
        id: `pub-${d}-${pad(i + 1, 2)}`,
        cls: 'key-public',
        district: d,
        name: `${title(d)} ${p}`,
      }),
    );
    INDUSTRY_PLACES.forEach((p, i) =>
      areas.push({
        id: `ind-${d}-${pad(i + 1, 2)}`,
        cls: 'key-industry',
        district: d,
        name: `${title(d)} ${p}`,
      }),
    );
  }
  // A few areas have no camera yet, so coverage is not a flat 100 %.
  const uncovered = new Set(
    [
      ...rng.shuffle(areas.filter((a) => a.cls === 'key-public')).slice(0, 4),
      ...rng.shuffle(areas.filter((a) => a.cls === 'key-industry')).slice(0, 3),
    ].map((a) => a.id),
  );
  const coveredAreas = areas.filter((a) => !uncovered.has(a.id));

  const devices: (string | number | boolean | undefined)[][] = [];
  const gatewaysOf = new Map<string, string[]>(DISTRICTS.map((d) => [d, []]));
  for (let g = 1; g <= 40; g++) {
    const d = DISTRICTS[(g - 1) % DISTRICTS.length];
    const id = `gw-${pad(g, 2)}`;
    gatewaysOf.get(d)!.push(id);
    const at = near(0.04);
    devices.push([id, 'cctv-gateway', d, '', '', false, 30, at.lat, at.lon]);
  }
  // 2,000 cameras; 1,700 behind a gateway of their district, 300 connected directly.
  const direct = new Set(rng.shuffle(Array.from({ length: 2000 }, (_, i) => i)).slice(0, 300));
  for (let i = 0; i < 2000; i++) {
    const area = rng.chance(0.75)
      ? rng.pick(coveredAreas.filter((a) => a.cls === 'key-public'))
      : rng.pick(coveredAreas.filter((a) => a.cls === 'key-industry'));
    const gateway = direct.has(i) ? '' : rng.pick(gatewaysOf.get(area.district)!);
    const at = near();
    devices.push([`cam-${pad(i + 1, 4)}`, 'cctv', '', area.id, gateway, rng.chance(0.7), 30, at.lat, at.lon]);
  }
  // Make sure every covered area has at least one camera.
  for (const a of coveredAreas) {
    if (!devices.some((r) => r[3] === a.id)) devices.find((r) => r[1] === 'cctv' && r[3] !== a.id)![3] = a.id;
  }

  // 800 pipe segments (log-normal lengths, 50–1,500 m) and 700 monitors: most one each, some two, some none.
  const pipes = Array.from({ length: 800 }, (_, i) => ({
    id: `pipe-${pad(i + 1, 4)}`,
    length: Math.min(1500, Math.max(50, Math.round(Math.exp(5.8 + 0.7 * rng.normal()) * 10) / 10)),
    district: rng.pick(DISTRICTS),
  }));
  const monitored = rng.shuffle([...pipes]).slice(0, 650);
  const monitorTargets = [...monitored, ...monitored.slice(0, 50)];
  monitorTargets.forEach((p, i) => {
    const at = near();
    devices.push([`pm-${pad(i + 1, 4)}`, 'pipe-monitor', '', p.id, '', false, 60, at.lat, at.lon]);
  });

  // 120 sites, 60 pollution sources and 60 energy users; 130 sensors, 12 sites unmonitored.
  const sites = Array.from({ length: 120 }, (_, i) => {
    const pollution = i < 60;
    const d = DISTRICTS[i % DISTRICTS.length];
    return {
      id: pollution ? `pol-${pad(i + 1, 3)}` : `nrg-${pad(i - 59, 3)}`,
      cls: pollution ? 'pollution' : 'energy',
      district: d,
      name: `${title(d)} ${pollution ? 'emitter' : 'institution'} ${i + 1}`,
    };
  });
  const watched = rng.shuffle([...sites]).slice(0, 108);
  [...watched, ...watched.slice(0, 22)].forEach((s, i) => {
    const at = near();
    devices.push([`sen-${pad(i + 1, 3)}`, 'sensor', '', s.id, '', false, 60, at.lat, at.lon]);
  });

  // 60 real VTA bus routes, each given a district, and 100 buses.
  const gtfsRoutes = parse(readFileSync(join(gtfsDir, 'routes.txt')), {
    columns: true,
    bom: true,
    trim: true,
  }) as Record<string, string>[];
  const routes = gtfsRoutes.filter((r) => r.route_type === '3').slice(0, 60);
  for (let b = 1; b <= 100; b++) {
    devices.push([`bus-${pad(b, 3)}`, 'transit-beacon', rng.pick(DISTRICTS), '', '', false, 30, '', '']);
  }

  const stops = parse(readFileSync(join(gtfsDir, 'stops.txt')), {
    columns: true,
    bom: true,
    trim: true,
  }) as Record<string, string>[];
  const someStops = rng.shuffle(stops).slice(0, 300);

  const header = [
    'id',
    'kind',
    'district',
    'asset_id',
    'gateway_id',
    'hd',
    'expected_interval_s',
    'lat',
    'lon',
  ];
  writeFileSync(
    join(outDir, 'areas.csv'),
    csv(
      ['id', 'class', 'district', 'name'],
      areas.map((a) => [a.id, a.cls, a.district, a.name]),
    ),
  );
  writeFileSync(
    join(outDir, 'pipe_segments.csv'),
    csv(
      ['id', 'length_m', 'district'],
      pipes.map((p) => [p.id, p.length, p.district]),
    ),
  );
  writeFileSync(
    join(outDir, 'routes.txt'),
    csv(
      ['route_id', 'agency_id', 'route_short_name', 'route_long_name', 'route_type', 'district'],
      routes.map((r) => [
        r.route_id,
        r.agency_id,
        r.route_short_name,
        r.route_long_name,
        r.route_type,
        rng.pick(DISTRICTS),
      ]),
    ),
  );
  writeFileSync(
    join(outDir, 'sites.csv'),
    csv(
      ['id', 'class', 'district', 'name'],
      sites.map((s) => [s.id, s.cls, s.district, s.name]),
    ),
  );
  writeFileSync(join(outDir, 'devices.csv'), csv(header, devices));
  writeFileSync(
    join(outDir, 'stops.txt'),
    csv(
      ['stop_id', 'stop_name', 'stop_lat', 'stop_lon'],
      someStops.map((s) => [s.stop_id, s.stop_name, s.stop_lat, s.stop_lon]),
    ),
  );
  writeFileSync(
    join(outDir, 'city.json'),
    `${JSON.stringify(
      {
        name: 'Sample City',
        cctvSharingAgreement: true,
        windows: ['1h', '24h'],
        thresholds: [
          { indicator: 'L2.2.1.b4', scope: 'city', below: 95, clearAt: 96, forS: 300, severity: 'major' },
          { indicator: 'L2.1.1', scope: 'city', below: 70, clearAt: 72, forS: 600, severity: 'minor' },
          {
            indicator: 'availability.cctv-gateway',
            scope: 'city',
            below: 90,
            clearAt: 95,
            forS: 120,
            severity: 'critical',
          },
        ],
      },
      null,
      2,
    )}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
  generateSampleCity(out, Number(process.argv[3] ?? 2026));
  process.stderr.write(`sample city written to ${out}\n`);
}
