// Scorecard periods (docs/contract.md §5 `report --period`): a calendar year (`2026`) or a quarter (`2026-Q3`) of the
// city's own calendar: 2026-Q1 in America/Los_Angeles runs from 2026-01-01T08:00Z to 2026-04-01T07:00Z.
import type { InputProblem } from '../indicators/iso/index.js';
import { DEFAULT_TIME_ZONE, wallClockToInstant, zoneOffsetMs } from '../registry/time-zone.js';

export const PERIOD_PATTERN = /^(\d{4})(?:-Q([1-4]))?$/;

export interface Period {
  readonly id: string;
  readonly year: number;
  /** 1..4, or undefined for the whole year. */
  readonly quarter?: number;
  /** Epoch ms, start inclusive, end exclusive: local midnights in `timeZone`. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly timeZone: string;
}

export function parsePeriod(raw: unknown, timeZone: string = DEFAULT_TIME_ZONE): Period | InputProblem {
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
    fromMs: wallClockToInstant(Date.UTC(year, startMonth, 1), timeZone),
    toMs: wallClockToInstant(Date.UTC(year, startMonth + months, 1), timeZone),
    timeZone,
  };
}

/** The city's calendar year at `now`, as a period id: the default of `/report` and `/api/scorecard`. */
export function currentYear(now: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return String(new Date(now + zoneOffsetMs(now, timeZone)).getUTCFullYear());
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
