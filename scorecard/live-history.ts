// Live indicators of a scorecard: the mean over the period of what the engine wrote to the history. One rule
// for every reader — `citygauge report` (the data dir's `history.sqlite`, no engine running) and the running
// city's `/report` and `/api/scorecard` (its history reader) — so one period has one answer.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryReader } from '../engine/sinks/points.js';
import { HISTORY_FILE, SqliteHistory } from '../engine/sinks/sqlite-history.js';
import type { IsoIndicator } from '../indicators/iso/index.js';
import type { Period } from './period.js';

const HOUR_MS = 3_600_000;

export interface LiveValues {
  readonly values: Map<string, number | null>;
  /**
   * Per live indicator, the share of the whole period with history behind it, 0..1 (issue 14 item 3): the
   * hours of the period with at least one recorded value, times an hour, over the period's length. A few
   * minutes of history in a quarter reads 0.05 %, not 100 %. An indicator not in it: 0.
   */
  readonly coverage?: Map<string, number>;
  /** Where the values come from, printed in the report. */
  readonly note: string;
}

/**
 * The rule: the mean of the hourly means, city scope, over the part of the period the history covers (hours
 * without a value are left out, as the engine's own window means leave out time the value was undefined).
 * A period still running counts up to `now`, the hour in progress with what it has so far; a period not
 * begun has no live values.
 */
export async function liveFromReader(
  reader: HistoryReader,
  where: string,
  period: Period,
  catalogue: readonly IsoIndicator[],
  now: number = Date.now(),
): Promise<LiveValues> {
  const values = new Map<string, number | null>();
  const coverage = new Map<string, number>();
  const to = Math.min(period.toMs, now);
  if (to > period.fromMs)
    for (const d of catalogue.filter((c) => c.source === 'live')) {
      const buckets = await reader.history({
        id: d.id,
        scope: 'city',
        from: period.fromMs,
        to,
        everyMs: HOUR_MS,
      });
      const present = buckets.map((b) => b.value).filter((v): v is number => v !== null);
      values.set(d.id, present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : null);
      coverage.set(d.id, historyShare(present.length, period));
    }
  const any = [...values.values()].some((v) => v !== null);
  const sofar = to < period.toMs ? ' so far (the period is not over)' : '';
  return {
    values,
    coverage,
    note: any
      ? `Live values: mean of hourly means over ${period.id}${sofar} from ${where}`
      : `No live data for ${period.id} in ${where}`,
  };
}

/** `hours` hours with history, as a share of the whole period (the last one may be cut by the period's end). */
export function historyShare(hours: number, period: Pick<Period, 'fromMs' | 'toMs'>): number {
  const length = period.toMs - period.fromMs;
  return length > 0 ? Math.min(1, (hours * HOUR_MS) / length) : 0;
}

/**
 * The same for a data dir without a running engine. The history store is opened only when it exists, so an
 * empty data dir stays empty.
 */
export async function liveFromHistory(
  dataDir: string,
  period: Period,
  catalogue: readonly IsoIndicator[],
  now: number = Date.now(),
): Promise<LiveValues> {
  const file = join(dataDir, HISTORY_FILE);
  if (!existsSync(file))
    return {
      values: new Map(),
      coverage: new Map(),
      note: `No history store at ${file}: citygauge start records one`,
    };
  const history = new SqliteHistory(dataDir);
  try {
    return await liveFromReader(history, `the history store ${file}`, period, catalogue, now);
  } finally {
    await history.close();
  }
}
