// `citygauge replay`: deterministic replay of recorded traffic, one JSON line per --at (CONTRACT §5).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { replaySharded } from '../cluster/sharded-replay.js';
import { BadPayloadSummary } from '../engine/bad-payloads.js';
import { CityEngine, type Snapshot } from '../engine/city-engine.js';
import type { BadLine } from '../engine/recording.js';
import { replayRecording } from '../engine/replay.js';
import { formatTime, parseTime } from '../engine/time.js';
import { UsageError } from './errors.js';
import { wholeFlag } from './flags.js';
import { loadCity } from './load-city.js';
import { fileSize, progressBar } from './progress.js';

interface ReplayOptions {
  inventory: string;
  input: string;
  at: string[];
  indicators?: string;
  shards: number;
}

/** The contract's output line for one snapshot. */
export function replayLine(s: Pick<Snapshot, 'at' | 'indicators' | 'rejected'>): string {
  return JSON.stringify({
    at: formatTime(s.at),
    indicators: s.indicators.map(({ id, scope, value, numerator, denominator, means }) => ({
      id,
      scope,
      value,
      numerator,
      denominator,
      means,
    })),
    rejected: s.rejected,
  });
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay recorded traffic deterministically; prints one JSON line per --at')
    .requiredOption('--inventory <dir>', 'inventory folder (CONTRACT §1)')
    .requiredOption('--input <file>', 'recording: one {"t","topic","payload"} JSON line per message')
    .requiredOption('--at <time...>', 'RFC 3339 instant(s) to report the state at (repeatable)')
    .option('--indicators <file>', 'user-defined indicators (JSON or YAML)')
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
          : await replayInProcess(new CityEngine(inventory, catalogue), opts.input, ats, (bytes) =>
              bar.update(bytes),
            );
      bar.stop();
      for (const { line, reason } of badLines)
        process.stderr.write(`${opts.input}:${line}: ${reason} (line skipped)\n`);
      if (badLineCount > badLines.length)
        process.stderr.write(`${opts.input}: ${badLineCount} unreadable lines skipped in all\n`);

      // Printed in the order asked; computed in time order.
      const byAt = new Map(snapshots.map((s) => [s.at, s]));
      for (const at of ats) process.stdout.write(`${replayLine(byAt.get(at)!)}\n`);
      for (const line of badPayloads.lines(opts.input)) process.stderr.write(line);
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
