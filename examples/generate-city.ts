// Generate the sample city's inventory (examples/sample-city/): the same seed always writes the same
// files, so the committed copy can be checked against a fresh run.
//   node dist/examples/generate-city.js [outDir] [--seed N] [--gtfs DIR]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAreas, buildPipeSegments, buildSites } from './city/assets.js';
import { csvText, gtfsText } from './city/csv-text.js';
import { buildDevices } from './city/devices.js';
import { DISTRICTS } from './city/districts.js';
import { pickRoutes, pickStops } from './city/gtfs.js';
import { Prng } from './prng.js';

export const DEFAULT_SEED = 2026;

/** The repository root (the folder with package.json), whether running from examples/ or dist/examples/. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const DEFAULT_GTFS_DIR = join(repoRoot(), 'examples', 'gtfs-vta');
export const DEFAULT_OUT_DIR = join(repoRoot(), 'examples', 'sample-city');

const CITY = {
  name: 'Sample City',
  // VTA's own zone (GTFS agency.txt agency_timezone): San José.
  timeZone: 'America/Los_Angeles',
  cctvSharingAgreement: true,
  windows: ['1h', '24h'],
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
  // Declared once: a row or an API call naming any other district is refused (a typo makes no district).
  districts: DISTRICTS.map((d) => ({ id: d.id, name: d.title })),
};

export interface GenerateOptions {
  /** A GTFS folder with routes.txt and stops.txt (default: VTA's, in examples/gtfs-vta). */
  gtfsDir?: string;
}

export interface CitySummary {
  areas: number;
  pipeSegments: number;
  routes: number;
  stops: number;
  sites: number;
  devices: number;
}

export function generateSampleCity(outDir: string, seed: number, opts: GenerateOptions = {}): CitySummary {
  const gtfsDir = opts.gtfsDir ?? DEFAULT_GTFS_DIR;
  // One independent stream per table: changing how sites are made never moves a camera.
  const rng = new Prng(seed);
  const areas = buildAreas(rng.fork('areas'));
  const pipes = buildPipeSegments(rng.fork('pipes'));
  const sites = buildSites(rng.fork('sites'));
  const devices = buildDevices(rng.fork('devices'), areas, pipes, sites);
  const routes = pickRoutes(rng.fork('routes'), gtfsDir);
  const stops = pickStops(rng.fork('stops'), gtfsDir);

  mkdirSync(outDir, { recursive: true });
  const write = (file: string, text: string) => writeFileSync(join(outDir, file), text);
  write('city.json', `${JSON.stringify(CITY, null, 2)}\n`);
  write('areas.csv', csvText(['id', 'class', 'district', 'name', 'lat', 'lon'], areas));
  write(
    'pipe_segments.csv',
    csvText(['id', 'length_m', 'district', 'material', 'diameter_mm', 'installed'], pipes),
  );
  write('routes.txt', gtfsText(routes.header, routes.rows));
  write('stops.txt', gtfsText(stops.header, stops.rows));
  write('sites.csv', csvText(['id', 'class', 'district', 'name', 'lat', 'lon'], sites));
  write(
    'devices.csv',
    csvText(
      [
        'id',
        'kind',
        'district',
        'asset_id',
        'gateway_id',
        'hd',
        'expected_interval_s',
        'lat',
        'lon',
        'model',
      ],
      devices,
    ),
  );
  return {
    areas: areas.length,
    pipeSegments: pipes.length,
    routes: routes.rows.length,
    stops: stops.rows.length,
    sites: sites.length,
    devices: devices.length,
  };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { seed: { type: 'string', default: String(DEFAULT_SEED) }, gtfs: { type: 'string' } },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got '${values.seed}'`);
  const outDir = resolve(positionals[0] ?? DEFAULT_OUT_DIR);
  const summary = generateSampleCity(outDir, seed, { gtfsDir: values.gtfs });
  process.stderr.write(`wrote ${outDir} (seed ${seed}): ${JSON.stringify(summary)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
