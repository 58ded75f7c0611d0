// `citygauge replay`: deterministic replay of recorded traffic, one JSON line per --at (docs/contract.md §5).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { replaySharded } from '../cluster/sharded-replay.js';
import { BadPayloadSummary } from '../engine/bad-payloads.js';
import { CityEngine, type Snapshot } from '../engine/city-engine.js';
import { incidentDocument } from '../engine/incidents/incident-document.js';
import { MemoryIncidentLog } from '../engine/incidents/incident-log.js';
import { IncidentService, incidentRule } from '../engine/incidents/incident-service.js';
import type { BadLine } from '../engine/recording.js';
import { replayRecording } from '../engine/replay.js';
import { formatTime, parseTime } from '../engine/time.js';
import { MaintenanceFileError, windowsFromFile } from '../registry/maintenance-windows.js';
import { UsageError } from './errors.js';
import { wholeFlag } from './flags.js';
import { loadCity } from './load-city.js';
import { fileSize, progressBar } from './progress.js';

interface ReplayOptions {
  inventory: string;
  input: string;
  at: string[];
  indicators?: string;
  maintenance?: string;
  quality?: boolean;
  incidents?: string;
  shards: number;
}

/**
 * The contract's output line for one snapshot; with maintenance windows, each value's excluded/plannedGap
 * too; with `quality`, each value's quality beside it (the contract's line is unchanged without them).
 */
export function replayLine(
  s: Pick<Snapshot, 'at' | 'indicators' | 'rejected'>,
  maintenance = false,
  quality = false,
): string {
  return JSON.stringify({
    at: formatTime(s.at),
    indicators: s.indicators.map(
      ({ id, scope, value, numerator, denominator, means, excluded, plannedGap, quality: q }) => ({
        id,
        scope,
        value,
        numerator,
        denominator,
        means,
        ...(maintenance && excluded ? { excluded } : {}),
        ...(maintenance && plannedGap !== undefined ? { plannedGap } : {}),
        ...(quality && q ? { quality: q } : {}),
      }),
    ),
    rejected: s.rejected,
  });
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay recorded traffic deterministically; prints one JSON line per --at')
    .requiredOption('--inventory <dir>', 'inventory folder (docs/contract.md §1)')
    .requiredOption('--input <file>', 'recording: one {"t","topic","payload"} JSON line per message')
    .requiredOption('--at <time...>', 'RFC 3339 instant(s) to report the state at (repeatable)')
    .option('--indicators <file>', 'user-defined indicators (JSON or YAML)')
    .option(
      '--maintenance <file>',
      'maintenance windows (JSON array of {start,end,reason,devices,assets,districts}), as live would apply them',
    )
    .option(
      '--quality',
      'print each value\'s quality beside it: {"flag":"good|degraded|unknown","coverage","stalenessMs","heard","expected","reason"}',
    )
    .option(
      '--incidents <file>',
      'write the root-cause incidents the recording raised (docs/incidents.md), one JSON line each, as of the last --at',
    )
    .option(
      '--shards <n>',
      "split the recording over n partitions by the cluster's rule, one thread each, and merge: same output",
      wholeFlag(1, 64),
      1,
    )
    .action(async (opts: ReplayOptions) => {
      const ats = opts.at.map((a) => {
        const t = parseTime(/^\d+$/.test(a) ? Number(a) : a);
        if (Number.isNaN(t))
          throw new UsageError(`--at '${a}' is not an RFC 3339 time (e.g. 2026-01-05T08:00:00Z)`);
        return t;
      });
      if (!existsSync(opts.input)) throw new UsageError(`input file '${opts.input}' does not exist`);
      const { inventory, catalogue } = await loadCity(opts.inventory, opts.indicators);
      const windows = opts.maintenance ? readWindows(opts.maintenance, inventory) : undefined;
      if (windows && opts.shards > 1)
        throw new UsageError('--maintenance is not supported with --shards yet: replay it with --shards 1');
      if (opts.quality && opts.shards > 1)
        throw new UsageError('--quality is not supported with --shards yet: replay it with --shards 1');
      if (opts.incidents && opts.shards > 1)
        throw new UsageError('--incidents is not supported with --shards yet: replay it with --shards 1');
      const engine = new CityEngine(inventory, catalogue);
      if (windows) engine.setMaintenance(windows);
      // Incidents hear each device change at its event time, as live; their holds end by the last --at.
      const incidentLog = new MemoryIncidentLog();
      const incidents = opts.incidents
        ? new IncidentService(incidentLog, () => {}, undefined, incidentRule(inventory.city.incidents))
        : undefined;
      incidents?.attach(engine);
      const bar = progressBar('replay', fileSize(opts.input), 'bytes');
      const { snapshots, badLines, badLineCount, badPayloads } =
        opts.shards > 1
          ? await replaySharded({
              inventory,
              catalogue,
              input: opts.input,
              ats,
              shards: opts.shards,
              onProgress: (bytes) => bar.update(bytes),
            })
          : await replayInProcess(engine, opts.input, ats, (bytes) => bar.update(bytes));
      bar.stop();
      for (const { line, reason } of badLines)
        process.stderr.write(`${opts.input}:${line}: ${reason} (line skipped)\n`);
      if (badLineCount > badLines.length)
        process.stderr.write(`${opts.input}: ${badLineCount} unreadable lines skipped in all\n`);

      // Printed in the order asked; computed in time order.
      const byAt = new Map(snapshots.map((s) => [s.at, s]));
      for (const at of ats)
        process.stdout.write(`${replayLine(byAt.get(at)!, windows !== undefined, opts.quality)}\n`);
      for (const line of badPayloads.lines(opts.input)) process.stderr.write(line);
      if (incidents && opts.incidents) {
        incidents.onSnapshot({ at: Math.max(...ats) });
        const lines = incidentLog
          .list(Number.MAX_SAFE_INTEGER)
          .reverse()
          .map((i) => `${JSON.stringify(incidentDocument(i))}\n`);
        writeFileSync(opts.incidents, lines.join(''));
      }
    });
}

/** One engine in this thread; unreadable lines are kept as a sharded replay keeps them, the first 20. */
async function replayInProcess(
  engine: CityEngine,
  input: string,
  ats: readonly number[],
  onProgress: (bytes: number) => void,
) {
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  const badPayloads = new BadPayloadSummary();
  const snapshots = await replayRecording(engine, input, ats, {
    onProgress,
    onIngested: badPayloads.onIngested,
    onBadLine: (bad) => {
      if (++badLineCount <= 20) badLines.push(bad);
    },
  });
  return { snapshots, badLines, badLineCount, badPayloads };
}

/** `--maintenance FILE.json`, checked against the inventory: a bad file stops the replay with what is wrong. */
function readWindows(file: string, inventory: Parameters<typeof windowsFromFile>[1]) {
  if (!existsSync(file)) throw new UsageError(`--maintenance file '${file}' does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--maintenance file '${file}' is not JSON: ${(err as Error).message}`);
  }
  try {
    return windowsFromFile(json, inventory);
  } catch (err) {
    if (err instanceof MaintenanceFileError)
      throw new UsageError(`--maintenance file '${file}': ${err.message}`);
    throw err;
  }
}
