import { basename } from 'node:path';
import { type InputSpec, inputsOf } from '../indicators/iso/index.js';
import { csvRows } from '../registry/csv-rows.js';
import type { AdminEntry, ScorecardStore } from './admin-inputs.js';

export const REQUIRED_COLUMNS = ['indicator', 'period', 'source', 'entered_by'] as const;

export interface ScorecardRowError {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}
export const formatScorecardError = (e: ScorecardRowError) => `${e.file}:${e.line}: ${e.reason}`;

export interface ImportOptions {
  /** All or nothing: apply no row when any row is bad. */
  readonly strict?: boolean;
  /** Check everything, conflicts with stored values included, and write nothing. */
  readonly dryRun?: boolean;
  /** Supersede values already stored for the same indicator and period (else those rows are refused). */
  readonly replace?: boolean;
}

export interface ImportResult {
  /** Entries written (or that would be, on a dry run or a failed strict import). */
  readonly accepted: number;
  readonly rejected: number;
  readonly applied: boolean;
  readonly errors: readonly ScorecardRowError[];
  readonly entries: readonly AdminEntry[];
}

const TRUE = new Set(['true', 'yes', '1']);
const FALSE = new Set(['false', 'no', '0']);

/** `buildings:980/1000; roads:450/460` or a JSON list of { name, numerator, denominator }. */
function listCell(cell: string): unknown {
  if (cell.startsWith('[')) {
    try {
      return JSON.parse(cell);
    } catch {
      return cell;
    }
  }
  const items = cell.split(';').map((item) => /^\s*([^:]+?)\s*:\s*([^/]+?)\s*\/\s*(.+?)\s*$/.exec(item));
  if (items.some((m) => m === null)) return cell;
  return items.map((m) => ({ name: m![1], numerator: numberCell(m![2]), denominator: numberCell(m![3]) }));
}

const numberCell = (cell: string): unknown => {
  const n = Number(cell);
  return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
};

/** A cell as the method reads it; a cell that does not fit stays text, so computeScore says why. */
function typedCell(cell: string, spec: InputSpec | undefined): unknown {
  switch (spec?.type) {
    case 'boolean': {
      const word = cell.toLowerCase();
      return TRUE.has(word) ? true : FALSE.has(word) ? false : cell;
    }
    case 'choice':
      return cell;
    case 'list':
      return listCell(cell);
    default:
      return numberCell(cell);
  }
}

class Rollback extends Error {}

export async function importScorecardCsv(
  store: ScorecardStore,
  path: string,
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const file = basename(path);
  const errors: ScorecardRowError[] = [];
  const entries: AdminEntry[] = [];
  const rows: { line: number; record: Record<string, string> }[] = [];
  let header: string[] | undefined;
  for await (const item of csvRows(path)) {
    if ('header' in item) {
      header = item.header;
      const absent = REQUIRED_COLUMNS.filter((c) => !header!.includes(c));
      if (absent.length > 0) {
        errors.push({
          file,
          line: item.line,
          reason: `the header lacks ${absent.join(', ')}: it must start with ${REQUIRED_COLUMNS.join(',')}`,
        });
        return { accepted: 0, rejected: 0, applied: false, errors, entries };
      }
    } else if ('error' in item) errors.push({ file, line: item.line, reason: item.error });
    else rows.push(item);
  }
  if (!header) errors.push({ file, line: 1, reason: `empty file: start with ${REQUIRED_COLUMNS.join(',')}` });
  const inputColumns = (header ?? []).filter((c) => !(REQUIRED_COLUMNS as readonly string[]).includes(c));

  const apply = () => {
    for (const { line, record } of rows) {
      const id = record.indicator;
      const indicator = store.indicator(id);
      const specs = new Map(indicator ? inputsOf(indicator.method).map((s) => [s.name, s]) : []);
      const inputs: Record<string, unknown> = {};
      for (const c of inputColumns) if (record[c] !== '') inputs[c] = typedCell(record[c], specs.get(c));
      const outcome = store.enter({
        indicator: id,
        period: record.period,
        source: record.source,
        by: record.entered_by,
        inputs,
        replace: opts.replace === true,
      });
      if (outcome.ok) entries.push(outcome.entry);
      else
        errors.push({
          file,
          line,
          reason:
            outcome.status === 409
              ? `${outcome.message.replace('send replace: true', 'use --replace')}`
              : outcome.errors
                  .map(
                    (e) => `${e.input.replace(/^inputs\./, '').replace(/^by$/, 'entered_by')}: ${e.message}`,
                  )
                  .join('; '),
        });
    }
    if (opts.dryRun || (opts.strict && errors.length > 0)) throw new Rollback();
  };
  let applied = true;
  try {
    store.transaction(apply);
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
    applied = false;
  }
  errors.sort((a, b) => a.line - b.line);
  return {
    accepted: entries.length,
    rejected: rows.length - entries.length,
    applied,
    errors,
    entries: applied ? entries : [],
  };
}
