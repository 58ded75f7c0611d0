// Scorecard periods (CONTRACT §5 `report --period`): a calendar year (`2026`) or a quarter (`2026-Q3`), UTC.
import type { InputProblem } from '../indicators/iso/index.js';

export const PERIOD_PATTERN = /^(\d{4})(?:-Q([1-4]))?$/;

export interface Period {
  readonly id: string;
  readonly year: number;
  /** 1..4, or undefined for the whole year. */
  readonly quarter?: number;
  /** Epoch ms, start inclusive, end exclusive. */
  readonly fromMs: number;
  readonly toMs: number;
}

export function parsePeriod(raw: unknown): Period | InputProblem {
  const m = typeof raw === 'string' ? PERIOD_PATTERN.exec(raw) : null;
  if (!m)
    return {
      input: 'period',
      message: `must be a year or a quarter such as "2026" or "2026-Q3", got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`,
    };
  const year = Number(m[1]);
  const quarter = m[2] === undefined ? undefined : Number(m[2]);
  const startMonth = quarter === undefined ? 0 : (quarter - 1) * 3;
  const months = quarter === undefined ? 12 : 3;
  return {
    id: raw as string,
    year,
    quarter,
    fromMs: Date.UTC(year, startMonth, 1),
    toMs: Date.UTC(year, startMonth + months, 1),
  };
}

export const isPeriod = (p: Period | InputProblem): p is Period => 'year' in p;

/**
 * The periods whose figures stand for `period`, best first: the period itself, then for a year its
 * quarters from the last (a quarterly figure is the latest known for the year; CEI is measured quarterly).
 */
export function periodsStandingFor(period: Period): string[] {
  if (period.quarter !== undefined) return [period.id];
  return [period.id, ...[4, 3, 2, 1].map((q) => `${period.year}-Q${q}`)];
}
