// Record simulated traffic of a city as replay lines (docs/contract.md §5): every device's regular messages and
// the faults of a real fleet, seeded and streamed, so the same seed gives the same bytes at any length.
//   node dist/examples/record.js --inventory examples/sample-city --out data/sample.jsonl --hours 3 --seed 42
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatRowError, loadInventoryDir } from '../registry/load-inventory.js';
import { Prng } from './prng.js';
import { planRoutes, readStops } from './traffic/bus-service.js';
import type { FaultCounts } from './traffic/faults.js';
import { buildFleet } from './traffic/fleet.js';
import { LineSink } from './traffic/line-sink.js';
import { Simulator } from './traffic/simulator.js';

export const DEFAULT_START = '2026-01-05T06:00:00Z';

export interface RecordOptions {
  inventoryDir: string;
  out: string;
  hours: number;
  seed: number;
  /** RFC 3339; the recording's clock is read as local time (buses sleep 00:00–05:00). */
  start?: string;
  onProgress?: (fractionDone: number) => void;
}

export interface Recording {
  lines: number;
  bytes: number;
  start: string;
  end: string;
  /** How often each kind of fault was written into the recording. */
  faults: FaultCounts;
}

export class RecordError extends Error {
  readonly code = 'ERR_RECORD';
}

export async function recordSampleTraffic(opts: RecordOptions): Promise<Recording> {
  const start = Date.parse(opts.start ?? DEFAULT_START);
  if (Number.isNaN(start)) throw new RecordError(`start must be an RFC 3339 time, got '${opts.start}'`);
  if (!(opts.hours > 0)) throw new RecordError(`hours must be a positive number, got ${opts.hours}`);
  const end = start + Math.round(opts.hours * 3_600_000);
  const { inventory, errors } = await loadInventoryDir(opts.inventoryDir);
  if (errors.length > 0) {
    // The recording should exercise the engine, not the import: a bad inventory is a setup mistake.
    const shown = errors.slice(0, 5).map(formatRowError).join('\n');
    throw new RecordError(
      `${shown}\ninventory '${opts.inventoryDir}' has ${errors.length} bad row(s): fix them first`,
    );
  }

  // Independent streams: the city's layout of routes does not shift when traffic rules change.
  const rng = new Prng(opts.seed);
  const routeIds = [...inventory.routes.keys()];
  const stops = readStops(join(opts.inventoryDir, 'stops.txt'));
  const served = routeIds.length ? planRoutes(routeIds, stops, rng.fork('routes')) : [];
  const fleet = buildFleet(inventory, rng.fork('fleet'), served);

  const sink = await LineSink.open(opts.out);
  const sim = new Simulator(fleet, served, new Set(routeIds), rng.fork('traffic'), sink, start, end);
  try {
    await sim.run(opts.onProgress);
    await sink.close();
  } catch (err) {
    sink.destroy();
    throw err;
  }
  opts.onProgress?.(1);
  return {
    lines: sink.lines,
    bytes: sink.bytes,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    faults: sim.faults,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      inventory: { type: 'string', default: 'examples/sample-city' },
      out: { type: 'string', default: 'data/sample.jsonl' },
      hours: { type: 'string', default: '3' },
      seed: { type: 'string', default: '42' },
      start: { type: 'string', default: DEFAULT_START },
    },
  });
  const began = performance.now();
  let shown = -1;
  const made = await recordSampleTraffic({
    inventoryDir: values.inventory,
    out: values.out,
    hours: Number(values.hours),
    seed: Number(values.seed),
    start: values.start,
    onProgress: (f) => {
      const pct = Math.floor(f * 100);
      if (pct === shown) return;
      shown = pct;
      process.stderr.write(`\rrecording ${values.hours} h: ${pct} %`);
    },
  });
  const seconds = (performance.now() - began) / 1000;
  process.stderr.write(
    `\n${values.out}: ${made.lines} lines, ${(made.bytes / 1e6).toFixed(1)} MB, ${made.start} to ${made.end}, ` +
      `${Math.round(made.lines / seconds)} lines/s\nfaults: ${JSON.stringify(made.faults)}\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: Error & { code?: string }) => {
    process.stderr.write(`record: ${err.message}\n`);
    process.exit(1);
  });
}
