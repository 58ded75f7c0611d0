// `citygauge replay`: deterministic replay of recorded traffic, one JSON line per --at (CONTRACT §5).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CityEngine, type Snapshot } from '../engine/city-engine.js';
import { replayRecording } from '../engine/replay.js';
import { formatTime, parseTime } from '../engine/time.js';
import { UsageError } from './errors.js';
import { loadCity } from './load-city.js';
import { fileSize, progressBar } from './progress.js';

interface ReplayOptions {
  inventory: string;
  input: string;
  at: string[];
  indicators?: string;
}

/** The contract's output line for one snapshot. */
export function replayLine(s: Snapshot): string {
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
    .action(async (opts: ReplayOptions) => {
      const ats = opts.at.map((a) => {
        const t = parseTime(/^\d+$/.test(a) ? Number(a) : a);
        if (Number.isNaN(t))
          throw new UsageError(`--at '${a}' is not an RFC 3339 time (e.g. 2026-01-05T08:00:00Z)`);
        return t;
      });
      if (!existsSync(opts.input)) throw new UsageError(`input file '${opts.input}' does not exist`);
      const { inventory, catalogue } = await loadCity(opts.inventory, opts.indicators);
      const engine = new CityEngine(inventory, catalogue);

      let badLines = 0;
      const bar = progressBar('replay', fileSize(opts.input), 'bytes');
      const snapshots = await replayRecording(engine, opts.input, ats, {
        onProgress: (bytes) => bar.update(bytes),
        onBadLine: ({ line, reason }) => {
          if (++badLines <= 20) process.stderr.write(`${opts.input}:${line}: ${reason} (line skipped)\n`);
        },
      });
      bar.stop();
      if (badLines > 20) process.stderr.write(`${opts.input}: ${badLines} unreadable lines skipped in all\n`);

      // Printed in the order asked; computed in time order.
      const byAt = new Map(snapshots.map((s) => [s.at, s]));
      for (const at of ats) process.stdout.write(`${replayLine(byAt.get(at)!)}\n`);
    });
}
