// Live indicators for a report made without a running engine: the mean over the period of what the engine
// wrote to the embedded history store (`<data-dir>/history.sqlite`), city scope.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
 * The mean of the hourly means over the part of the period the history covers (hours without a value are
 * left out, as the engine's own window means leave out time the value was undefined). The history store
 * is opened only when it exists, so an empty data dir stays empty.
 */
export async function liveFromHistory(
  dataDir: string,
  period: Period,
  catalogue: readonly IsoIndicator[],
): Promise<LiveValues> {
  const values = new Map<string, number | null>();
  if (!existsSync(join(dataDir, HISTORY_FILE)))
    return {
      values,
      note: `no history store at ${join(dataDir, HISTORY_FILE)}: citygauge start records one`,
    };
  const history = new SqliteHistory(dataDir);
  try {
    for (const d of catalogue.filter((c) => c.source === 'live')) {
      const buckets = await history.history({
        id: d.id,
        scope: 'city',
        from: period.fromMs,
        to: period.toMs,
        everyMs: HOUR_MS,
      });
      const present = buckets.map((b) => b.value).filter((v): v is number => v !== null);
      values.set(d.id, present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : null);
    }
  } finally {
    await history.close();
  }
  const any = [...values.values()].some((v) => v !== null);
  return {
    values,
    note: any
      ? `live values: mean of hourly means over ${period.id} from the history store ${join(dataDir, HISTORY_FILE)}`
      : `no live data for ${period.id} in the history store ${join(dataDir, HISTORY_FILE)}`,
  };
}

/** The running engine's latest snapshot, city scope, as the scorecard reads it. */
export function liveFromSnapshot(
  indicators: readonly { id: string; scope: string; value: number | null }[] | undefined,
): Map<string, number | null> {
  const values = new Map<string, number | null>();
  for (const v of indicators ?? []) if (v.scope === 'city') values.set(v.id, v.value);
  return values;
}
