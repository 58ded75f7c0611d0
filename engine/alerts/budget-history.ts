// The error budgets' windows reach back 30 days: at start each objective's series is primed from the history
// store (embedded or InfluxDB) in one-minute buckets, so a restart does not forget the budget spent. Each
// bucket's mean holds for its minute; a missing bucket (the city was down) is unknown time, left out.
import { stepsFromBuckets } from '../../indicators/error-budget.js';
import type { HistoryReader } from '../sinks/points.js';
import type { BudgetTracker } from './budget-tracker.js';

const MINUTE_MS = 60_000;

export interface PrimeResult {
  indicator: string;
  scope: string;
  /** Buckets read. */
  points: number;
  primed: boolean;
}

export async function primeBudgetsFromHistory(
  tracker: BudgetTracker,
  reader: HistoryReader,
  now: number,
): Promise<PrimeResult[]> {
  const results: PrimeResult[] = [];
  for (const { indicator, scope, keepMs } of tracker.historyLines()) {
    const from = now - keepMs;
    const step = reader.buckets?.(from).stepMs ?? 1;
    const everyMs = Math.ceil(MINUTE_MS / step) * step;
    const rows = await reader.history({ id: indicator, scope, from, to: now, everyMs });
    // Between the last bucket and the first live value the city was not running: unknown.
    const points = stepsFromBuckets(rows, everyMs);
    results.push({ indicator, scope, points: rows.length, primed: tracker.prime(indicator, scope, points) });
  }
  return results;
}
