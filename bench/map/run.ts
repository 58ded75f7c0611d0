// `npm run bench:map`: the map's cells (GET /api/devices/map) over a generated metro of 1M devices, beside
// a baseline from the same run: one plain pass over the same positions, the least any map can cost. Also
// what reaches the browser: the cells and the down list, against every position as [id, lat, lon] rows.
// Each time is the median of several runs; the ratio the median of each run's cells ÷ the pass before it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapCells, type Positions } from '../../engine/map-cells.js';
import { buildAreas, buildPipeSegments, buildSites } from '../../examples/city/assets.js';
import { buildDevices } from '../../examples/city/devices.js';
import { districtCells, keepInDistricts } from '../../examples/city/outlines.js';
import { cityShape } from '../../examples/generate-city.js';
import { Prng } from '../../examples/prng.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '..', '..', '..', 'bench', 'out');
const DEVICES = Number(process.env.BENCH_DEVICES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const CELLS = 40;
const DOWN_CAP = 500;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface MapBench {
  devices: number;
  baselineMs: number;
  cellsMs: number;
  /** Median over runs of cells ÷ baseline, each pair measured back to back. */
  ratio: number;
  cells: number;
  downListed: number;
  /** JSON of the cells and the down list, as the endpoint sends them. */
  mapBytes: number;
  /** JSON of every position as [id, lat, lon]: what a map without cells would send. */
  pointsBytes: number;
}

export function runMapBench(devices = DEVICES, runs = RUNS): MapBench {
  const shape = cityShape('metro', devices);
  const rng = new Prng(2026);
  const areas = buildAreas(rng.fork('areas'), shape);
  const sites = buildSites(rng.fork('sites'), shape);
  const rows = buildDevices(
    rng.fork('devices'),
    areas,
    buildPipeSegments(rng.fork('pipes'), shape),
    sites,
    shape,
  );
  keepInDistricts(rows, shape.districts, districtCells(shape.districts), shape.centre);
  const n = rows.length;
  const pos: Positions = { lat: new Float64Array(n), lon: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    pos.lat[i] = rows[i].lat;
    pos.lon[i] = rows[i].lon;
  }
  // One device in 20 down, spread over the city.
  const down = new Uint8Array(n);
  for (let i = 0; i < n; i += 20) down[i] = 1;
  const isDown = (i: number) => down[i] === 1;

  const base: number[] = [];
  const cells: number[] = [];
  const ratios: number[] = [];
  let sink = 0;
  let grid = mapCells(pos, isDown, { cells: CELLS, downCap: DOWN_CAP });
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    for (let i = 0; i < n; i++) if (!Number.isNaN(pos.lat[i]) && isDown(i)) sink += pos.lat[i] + pos.lon[i];
    base.push(performance.now() - t);
    t = performance.now();
    grid = mapCells(pos, isDown, { cells: CELLS, downCap: DOWN_CAP });
    cells.push(performance.now() - t);
    ratios.push(cells[r] / base[r]);
  }
  if (sink === 0) throw new Error('the baseline pass saw no device down');
  const sent = {
    cells: grid.cells,
    down: grid.down.map((i) => ({ id: rows[i].id, kind: rows[i].kind, lat: rows[i].lat, lon: rows[i].lon })),
  };
  const points = JSON.stringify(rows.map((d) => [d.id, d.lat, d.lon]));
  return {
    devices: n,
    baselineMs: median(base),
    cellsMs: median(cells),
    ratio: median(ratios),
    cells: grid.cells.length,
    downListed: grid.down.length,
    mapBytes: JSON.stringify(sent).length,
    pointsBytes: points.length,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = runMapBench();
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'map.json'),
    `${JSON.stringify({ date: new Date().toISOString(), ...r }, null, 2)}\n`,
  );
  const fmt = (x: number) => Math.round(x).toLocaleString('en');
  process.stdout.write(
    [
      `map cells over ${fmt(r.devices)} devices (${CELLS} cells a side, ${DOWN_CAP} down listed at most):`,
      `  cells ${r.cellsMs.toFixed(1)} ms, one plain pass over the same positions ${r.baselineMs.toFixed(1)} ms: ${r.ratio.toFixed(1)} × baseline`,
      `  sent: ${fmt(r.cells)} cells + ${fmt(r.downListed)} down devices = ${fmt(r.mapBytes / 1024)} KiB of JSON, against ${fmt(r.pointsBytes / 2 ** 20)} MiB for every position`,
      '',
    ].join('\n'),
  );
}
