// Generate a city's inventory: by default the sample city (examples/sample-city/). The same seed and shape
// always write the same files, so the committed copy can be checked against a fresh run.
//   node dist/examples/generate-city.js [outDir] [--seed N] [--gtfs DIR] [--shape sample|metro] [--devices N]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAreas, buildPipeSegments, buildSites } from './city/assets.js';
import { csvText, gtfsText } from './city/csv-text.js';
import { buildDevices } from './city/devices.js';
import { type GtfsTable, pickRoutes, pickStops, pickTrips, TRIP_COLUMNS } from './city/gtfs.js';
import { districtCells, keepInDistricts, outlineOf } from './city/outlines.js';
import { type CityShape, deviceCount, SAMPLE_SHAPE, SHAPES, ShapeError, scaleShape } from './city/shape.js';
import { syntheticRoutes, syntheticStops } from './city/synthetic-transit.js';
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

const cityFile = (shape: CityShape, outlines: ReturnType<typeof outlineOf>[]) => ({
  name: shape.name,
  timeZone: shape.timeZone,
  cctvSharingAgreement: true,
  windows: ['1h', '24h'],
  thresholds: shape.thresholds,
  // Declared once: a row or an API call naming any other district is refused (a typo makes no district).
  // Each with its outline, so a map draws the districts (issue 15 item 1).
  districts: shape.districts.map((d, i) => ({ id: d.id, name: d.title, outline: outlines[i] })),
});

export interface GenerateOptions {
  /** A GTFS folder with routes.txt, stops.txt and optionally trips.txt (default: VTA's, in examples/gtfs-vta). */
  gtfsDir?: string;
  /** What the city is made of (default: the sample city's shape). */
  shape?: CityShape;
}

export interface CitySummary {
  areas: number;
  pipeSegments: number;
  routes: number;
  stops: number;
  /** Rows of trips.txt (0: none written). */
  trips: number;
  sites: number;
  devices: number;
}

export function generateSampleCity(outDir: string, seed: number, opts: GenerateOptions = {}): CitySummary {
  const gtfsDir = opts.gtfsDir ?? DEFAULT_GTFS_DIR;
  const shape = opts.shape ?? SAMPLE_SHAPE;
  // One independent stream per table: changing how sites are made never moves a camera.
  const rng = new Prng(seed);
  const areas = buildAreas(rng.fork('areas'), shape);
  const pipes = buildPipeSegments(rng.fork('pipes'), shape);
  const sites = buildSites(rng.fork('sites'), shape);
  const devices = buildDevices(rng.fork('devices'), areas, pipes, sites, shape);
  // Every place inside its district's outline: a map's outlines and its dots agree.
  const cells = districtCells(shape.districts);
  keepInDistricts(areas, shape.districts, cells, shape.centre);
  keepInDistricts(sites, shape.districts, cells, shape.centre);
  keepInDistricts(devices, shape.districts, cells, shape.centre);
  let routes: GtfsTable;
  let stops: GtfsTable;
  let trips: GtfsTable | undefined;
  if (shape.transit.source === 'gtfs') {
    routes = pickRoutes(rng.fork('routes'), gtfsDir, shape.transit.routes, shape.districts);
    stops = pickStops(rng.fork('stops'), gtfsDir, shape.transit.stops, shape.centre);
    trips = pickTrips(gtfsDir, routes);
  } else {
    routes = syntheticRoutes(rng.fork('routes'), shape);
    stops = syntheticStops(rng.fork('stops'), shape);
  }

  mkdirSync(outDir, { recursive: true });
  const write = (file: string, text: string) => writeFileSync(join(outDir, file), text);
  const outlines = cells.map((cell) => outlineOf(cell, shape.centre));
  write('city.json', `${JSON.stringify(cityFile(shape, outlines), null, 2)}\n`);
  write('areas.csv', csvText(['id', 'class', 'district', 'name', 'lat', 'lon'], areas));
  write(
    'pipe_segments.csv',
    csvText(['id', 'length_m', 'district', 'material', 'diameter_mm', 'installed'], pipes),
  );
  write('routes.txt', gtfsText(routes.header, routes.rows));
  write('stops.txt', gtfsText(stops.header, stops.rows));
  // Unquoted, as VTA publishes its trips.txt.
  if (trips) write('trips.txt', csvText(TRIP_COLUMNS, trips.rows));
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
    trips: trips?.rows.length ?? 0,
    sites: sites.length,
    devices: devices.length,
  };
}

/** A named shape, scaled to about `devices` devices when given. */
export function cityShape(name: string, devices?: number): CityShape {
  const shape = SHAPES[name];
  if (!shape) throw new ShapeError(`--shape must be one of ${Object.keys(SHAPES).join(', ')}, got '${name}'`);
  return devices === undefined || devices === deviceCount(shape) ? shape : scaleShape(shape, devices);
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      gtfs: { type: 'string' },
      shape: { type: 'string', default: 'sample' },
      devices: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got '${values.seed}'`);
  const shape = cityShape(values.shape, values.devices === undefined ? undefined : Number(values.devices));
  // The sample city's folder is only the default for the sample city: a metro never overwrites it.
  if (positionals[0] === undefined && shape !== SAMPLE_SHAPE)
    throw new ShapeError('give an output folder for any city but the default sample city');
  const outDir = resolve(positionals[0] ?? DEFAULT_OUT_DIR);
  const summary = generateSampleCity(outDir, seed, { gtfsDir: values.gtfs, shape });
  process.stderr.write(`wrote ${outDir} (seed ${seed}, ${shape.name}): ${JSON.stringify(summary)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`generate-city: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
