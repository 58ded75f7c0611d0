// Error budgets on availability indicators (issue 14 item 5), as pure arithmetic over a StepSeries of the
// indicator's value (0..100). The bad fraction over a window is the time-weighted mean of (100 − value)/100
// over the part of the window the value was known: time before the first value and time the value was null
// (an empty denominator) are left out, and the coverage says how much of the window that left. The budget is
// 1 − target/100; the budget left is 1 − bad fraction over the objective's window ÷ budget; a burn rate is the
// bad fraction over a window ÷ budget (1 spends exactly the budget over the objective's window).
// Alerts follow the Google SRE workbook's multi-window, multi-burn-rate rule ("Alerting on SLOs").
import type { Objective } from '../registry/inventory.js';
import { windowMs } from './formula.js';
import { StepSeries } from './step-series.js';

export type { Objective };

export type BurnAlertName = 'page' | 'ticket';

export interface BurnRule {
  name: BurnAlertName;
  /** The burn rate both windows must exceed (strictly). */
  burnRate: number;
  long: string;
  short: string;
}

/** Page when 2 % of a 30-day budget goes in 1 h or 5 % in 6 h; ticket when 10 % goes in 3 days. */
export const BURN_RULES: readonly BurnRule[] = [
  { name: 'page', burnRate: 14.4, long: '1h', short: '5m' },
  { name: 'page', burnRate: 6, long: '6h', short: '30m' },
  { name: 'ticket', burnRate: 1, long: '3d', short: '6h' },
];

/** Every window a burn rate is asked for, shortest first. */
export const BURN_WINDOWS: readonly string[] = [
  ...new Set(BURN_RULES.flatMap((r) => [r.short, r.long])),
].sort((a, b) => windowMs(a) - windowMs(b));

/** How far back an objective's series must reach: its window or the longest burn window. */
export const keepMsFor = (o: Pick<Objective, 'window'>): number =>
  Math.max(windowMs(o.window), ...BURN_WINDOWS.map(windowMs));

export const budgetOf = (target: number): number => 1 - target / 100;

/** The bad fraction of a mean value (0..100), or null when nothing is known. */
export const badOf = (mean: number | null): number | null =>
  mean === null ? null : Math.min(1, Math.max(0, (100 - mean) / 100));

export interface WindowFigures {
  /** Bad fraction over the known part of the window; null when no value is known in it. */
  bad: number | null;
  /** Share of the window (0..1) with a known value. */
  coverage: number;
}

export function windowFigures(series: StepSeries, t: number, ms: number): WindowFigures {
  return {
    bad: badOf(series.meanOver(t - ms, t)),
    coverage: series.definedOver(t - ms, t) / ms,
  };
}

/** Bad fraction over [t − ms, t] ÷ budget; null when nothing is known in it. */
export function burnRateOver(series: StepSeries, target: number, t: number, ms: number): number | null {
  const { bad } = windowFigures(series, t, ms);
  return bad === null ? null : bad / budgetOf(target);
}

export interface BudgetState {
  at: number;
  budget: number;
  /** Over the objective's window: 1 is untouched, 0 spent, negative overspent; null when nothing is known. */
  budgetLeft: number | null;
  /** Share of the objective's window with a known value. */
  coverage: number;
  /** By burn window (`5m`, `30m`, `1h`, `6h`, `3d`); null when nothing is known in it. */
  burnRates: Record<string, number | null>;
  /** The rules firing now, by name (a name fires when any of its rules does). */
  firing: Record<BurnAlertName, BurnRule | undefined>;
}

export function budgetState(series: StepSeries, o: Objective, t: number): BudgetState {
  const budget = budgetOf(o.target);
  const whole = windowFigures(series, t, windowMs(o.window));
  const burnRates: Record<string, number | null> = {};
  for (const w of BURN_WINDOWS) burnRates[w] = burnRateOver(series, o.target, t, windowMs(w));
  const exceeds = (w: string, rate: number) => (burnRates[w] ?? 0) > rate;
  const firing: BudgetState['firing'] = { page: undefined, ticket: undefined };
  for (const r of BURN_RULES)
    if (!firing[r.name] && exceeds(r.long, r.burnRate) && exceeds(r.short, r.burnRate)) firing[r.name] = r;
  return {
    at: t,
    budget,
    budgetLeft: whole.bad === null ? null : 1 - whole.bad / budget,
    coverage: whole.coverage,
    burnRates,
    firing,
  };
}

/**
 * History buckets (each bucket's mean, from its start for `everyMs`) as step points: a missing bucket is
 * unknown time, and so is the time after the last bucket.
 */
export function stepsFromBuckets(
  rows: readonly { ts: string; value: number | null }[],
  everyMs: number,
): { t: number; value: number | null }[] {
  const points: { t: number; value: number | null }[] = [];
  let end: number | undefined;
  for (const r of rows) {
    const t = Date.parse(r.ts);
    if (end !== undefined && t > end) points.push({ t: end, value: null });
    points.push({ t, value: r.value });
    end = t + everyMs;
  }
  if (end !== undefined) points.push({ t: end, value: null });
  return points;
}

export interface PeriodBudget {
  objective: Objective;
  from: number;
  to: number;
  /** The budget over [from, to] as time: (1 − target/100) × its length. */
  budgetMs: number;
  /** 1 untouched, 0 spent, negative overspent; null with no history in the period. */
  budgetLeft: number | null;
  budgetLeftMs: number | null;
  /** Share of [from, to] with history behind it. */
  coverage: number;
  /** "1 h 12 min of 3 h 36 min left". */
  text: string;
}

/** An objective's budget over a period (a report's quarter or year) instead of its rolling window. */
export function periodBudget(
  o: Objective,
  points: readonly { t: number; value: number | null }[],
  from: number,
  to: number,
): PeriodBudget {
  const series = new StepSeries(Math.max(1, to - from));
  for (const p of points) series.set(p.t, p.value);
  const { bad, coverage } = windowFigures(series, to, to - from);
  const budget = budgetOf(o.target);
  const budgetMs = budget * (to - from);
  const budgetLeft = bad === null ? null : 1 - bad / budget;
  const budgetLeftMs = budgetLeft === null ? null : budgetLeft * budgetMs;
  const text =
    budgetLeftMs === null
      ? `unknown of ${formatDuration(budgetMs)} (no history in the period)`
      : `${formatDuration(budgetLeftMs)} of ${formatDuration(budgetMs)} left`;
  return { objective: o, from, to, budgetMs, budgetLeft, budgetLeftMs, coverage, text };
}

/** `"1 h 12 min"`: a duration to the minute (seconds under a minute), negative as `-…`. */
export function formatDuration(ms: number): string {
  // Rounded first: 59.6 s is "1 min", and a few negative milliseconds are "0 s", not "-0 s".
  const seconds = Math.round(Math.abs(ms) / 1000);
  const sign = ms < 0 && seconds > 0 ? '-' : '';
  if (seconds < 60) return `${sign}${seconds} s`;
  const min = Math.round(seconds / 60);
  const parts: string[] = [];
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m || !parts.length) parts.push(`${m} min`);
  return sign + parts.join(' ');
}

/** The budget as time over the objective's window, and what is left of it: "1 h 12 min of 3 h 36 min left". */
export function budgetTime(
  o: Objective,
  budgetLeft: number | null,
): { totalMs: number; leftMs: number | null; text: string } {
  const totalMs = budgetOf(o.target) * windowMs(o.window);
  const leftMs = budgetLeft === null ? null : budgetLeft * totalMs;
  const text =
    leftMs === null
      ? `unknown of ${formatDuration(totalMs)} (no data in the window)`
      : `${formatDuration(leftMs)} of ${formatDuration(totalMs)} left`;
  return { totalMs, leftMs, text };
}
