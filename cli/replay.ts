// `citygauge replay`: deterministic replay of recorded traffic, one JSON line per --at (CONTRACT §5).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { payloadProblem } from '../engine/admission.js';
import { CityEngine, type Snapshot } from '../engine/city-engine.js';
import type { Inbound } from '../engine/inbound.js';
import type { RejectionReason } from '../engine/rejections.js';
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

/** Distinct problems tallied; past this, further ones are only counted (a recording may hold millions). */
const MAX_PROBLEMS = 1000;
/** Problems printed, most frequent first. */
const SHOWN_PROBLEMS = 20;

/**
 * The stderr summary of messages refused as bad-payload, grouped by what is wrong with them, so a
 * recording's bad firmware shows as `pressureKPa: expected a number` rather than a bare count. Problems
 * are worked out only for refused messages: replay's accepted path stays as fast as the live one.
 */
export class BadPayloadSummary {
  private readonly problems = new Map<string, { count: number; topic: string; at: number }>();
  private others = 0;

  readonly onIngested = (msg: Inbound, outcome: RejectionReason | undefined): void => {
    if (outcome !== 'bad-payload') return;
    const problem = payloadProblem(msg.topic, msg.payload) ?? 'fails its schema';
    const seen = this.problems.get(problem);
    if (seen !== undefined) seen.count++;
    else if (this.problems.size < MAX_PROBLEMS)
      this.problems.set(problem, { count: 1, topic: msg.topic, at: msg.receivedAt });
    else this.others++;
  };

  /** One line per problem: `<input>: bad-payload ×n: <field>: <rule> (first: <topic> at <t>)`. */
  lines(input: string): string[] {
    const sorted = [...this.problems].sort((a, b) => b[1].count - a[1].count);
    const out = sorted
      .slice(0, SHOWN_PROBLEMS)
      .map(
        ([problem, p]) =>
          `${input}: bad-payload ×${p.count}: ${problem} (first: ${p.topic} at ${formatTime(p.at)})\n`,
      );
    const rest = sorted.slice(SHOWN_PROBLEMS).reduce((n, [, p]) => n + p.count, 0) + this.others;
    if (rest > 0) out.push(`${input}: bad-payload ×${rest} more, for other reasons\n`);
    return out;
  }
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
      const badPayloads = new BadPayloadSummary();
      const bar = progressBar('replay', fileSize(opts.input), 'bytes');
      const snapshots = await replayRecording(engine, opts.input, ats, {
        onProgress: (bytes) => bar.update(bytes),
        onIngested: badPayloads.onIngested,
        onBadLine: ({ line, reason }) => {
          if (++badLines <= 20) process.stderr.write(`${opts.input}:${line}: ${reason} (line skipped)\n`);
        },
      });
      bar.stop();
      if (badLines > 20) process.stderr.write(`${opts.input}: ${badLines} unreadable lines skipped in all\n`);

      // Printed in the order asked; computed in time order.
      const byAt = new Map(snapshots.map((s) => [s.at, s]));
      for (const at of ats) process.stdout.write(`${replayLine(byAt.get(at)!)}\n`);
      for (const line of badPayloads.lines(opts.input)) process.stderr.write(line);
    });
}
