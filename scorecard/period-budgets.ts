// The error budgets of a report's period (issue 14 item 5): each objective's budget over the period, from
// the history store in 5-minute buckets, with the share of the period the history covers. A period still
// running counts up to now; its budget is the whole period's.
import type { HistoryReader } from '../engine/sinks/points.js';
import {
  type Objective,
  type PeriodBudget,
  periodBudget,
  stepsFromBuckets,
} from '../indicators/error-budget.js';
import type { Period } from './period.js';

const BUCKET_MS = 5 * 60_000;

export async function periodBudgets(
  reader: HistoryReader,
  objectives: readonly Objective[],
  period: Pick<Period, 'fromMs' | 'toMs'>,
  now: number = Date.now(),
): Promise<PeriodBudget[]> {
  const to = Math.min(period.toMs, now);
  const out: PeriodBudget[] = [];
  for (const o of objectives) {
    const rows =
      to > period.fromMs
        ? await reader.history({
            id: o.indicator,
            scope: o.scope,
            from: period.fromMs,
            to,
            everyMs: BUCKET_MS,
          })
        : [];
    out.push(periodBudget(o, stepsFromBuckets(rows, BUCKET_MS), period.fromMs, period.toMs));
  }
  return out;
}
