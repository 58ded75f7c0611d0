// The scorecard as CSV (docs/contract.md §5 `report`): one row per indicator and per roll-up node.
import type { Scorecard } from './scorecard.js';

export const REPORT_CSV_HEADER = [
  'kind',
  'id',
  'name',
  'level',
  'value',
  'source',
  'period',
  'entered_by',
  'coverage',
  'missing',
] as const;

/** RFC 4180 quoting; text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) is prefixed with `'`. */
function cell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(Math.round(v * 1e6) / 1e6);
  const text = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderReportCsv(card: Scorecard): string {
  const rows: (string | number | null)[][] = [
    ...card.indicators.map((l) => [
      'indicator',
      l.id,
      l.name,
      'third',
      l.value,
      l.source,
      l.period,
      l.enteredBy,
      l.coverage,
      l.value === null ? l.id : '',
    ]),
    ...card.rollUps.map((n) => [
      'rollup',
      n.id,
      n.name,
      n.level,
      n.value,
      null,
      card.period,
      null,
      n.coverage,
      n.missing.join(' '),
    ]),
  ];
  return `${[[...REPORT_CSV_HEADER], ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
