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
    }
  const any = [...values.values()].some((v) => v !== null);
  const sofar = to < period.toMs ? ' so far (the period is not over)' : '';
  return {
    values,
    note: any
      ? `Live values: mean of hourly means over ${period.id}${sofar} from ${where}`
      : `No live data for ${period.id} in ${where}`,
  };
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
    return { values: new Map(), note: `No history store at ${file}: citygauge start records one` };
  const history = new SqliteHistory(dataDir);
  try {
    return await liveFromReader(history, `the history store ${file}`, period, catalogue, now);
  } finally {
    await history.close();
  }
}
