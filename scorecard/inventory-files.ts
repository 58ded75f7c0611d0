// The scorecard's files in an inventory folder beside `scorecard-*.csv`: the city's own ISO/IEC 30146
// indicators (`scorecard-indicators.json|yaml`) and PAS 181 self-assessments (`self-assessments-*.json|yaml`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { IsoIndicator } from '../indicators/iso/index.js';
import { yamlDepthProblem } from '../indicators/yaml-depth.js';
import type { ScorecardStore } from './admin-inputs.js';

export const USER_INDICATOR_FILES = [
  'scorecard-indicators.yaml',
  'scorecard-indicators.yml',
  'scorecard-indicators.json',
] as const;

/** A file the scorecard cannot use; the message is `file: reason`, one line per problem. */
export class ScorecardFileError extends Error {
  readonly code = 'ERR_SCORECARD_FILE';
}

const isYaml = (path: string) => /\.ya?ml$/i.test(path);

/** A JSON or YAML file's content, by its extension. */
function readStructured(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  const tooDeep = isYaml(path) ? yamlDepthProblem(text) : undefined;
  if (tooDeep)
    throw new ScorecardFileError(`${basename(path)}: not read: ${tooDeep}; no scorecard file needs that`);
  try {
    return isYaml(path) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ScorecardFileError(
      `${basename(path)}: not valid ${isYaml(path) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    );
  }
}

/** The inventory's `scorecard-indicators.*`, if it has one; two of them are ambiguous and refused. */
export function userIndicatorFile(dir: string): string | undefined {
  const found = USER_INDICATOR_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
  if (found.length > 1)
    throw new ScorecardFileError(
      `${found.map((f) => basename(f)).join(' and ')}: keep one file of user-defined indicators`,
    );
  return found[0];
}

/**
 * Load the city's own indicators from a file into the store, replacing those it had (remembered unless
 * `remember` is false). Refused as a whole with `file: entry.field: reason` lines, e.g. an id the standard
 * uses or an unknown second-level group.
 */
export function loadUserIndicators(
  store: ScorecardStore,
  path: string,
  options: { remember?: boolean } = {},
): IsoIndicator[] {
  const r = store.setUserIndicators(readStructured(path), options);
  if (!r.ok)
    throw new ScorecardFileError(
      r.errors.map((e) => `${basename(path)}: ${e.input}: ${e.message}`).join('\n'),
    );
  return r.value;
}

/** Files in an inventory folder whose names match, in name order; none when the folder is missing. */
export function filesMatching(dir: string, name: RegExp): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => name.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** `self-assessments-*.json|yaml|yml` in an inventory folder, in name order. */
export const selfAssessmentFiles = (dir: string) =>
  filesMatching(dir, /^self-assessments-.*\.(json|ya?ml)$/i);

/** `scorecard-*.csv` in an inventory folder, in name order. */
export const scorecardFiles = (dir: string) => filesMatching(dir, /^scorecard-.*\.csv$/i);

export interface AssessmentImport {
  readonly accepted: number;
  readonly rejected: number;
  /** `file: entry.field: reason`. */
  readonly errors: readonly string[];
}

/**
 * Record the self-assessments of a file (a list, or `{ "selfAssessments": [...] }`); bad entries are
 * reported and the others recorded, as CSV rows are.
 */
export function importSelfAssessments(store: ScorecardStore, path: string): AssessmentImport {
  const file = basename(path);
  let raw: unknown;
  try {
    raw = readStructured(path);
  } catch (err) {
    return { accepted: 0, rejected: 0, errors: [(err as Error).message] };
  }
  const list = Array.isArray(raw) ? raw : (raw as { selfAssessments?: unknown } | null)?.selfAssessments;
  if (!Array.isArray(list))
    return {
      accepted: 0,
      rejected: 0,
      errors: [`${file}: (top): expected a list of self-assessments, or { "selfAssessments": [...] }`],
    };
  const errors: string[] = [];
  let accepted = 0;
  list.forEach((item, i) => {
    const r = store.addSelfAssessment(item);
    if (r.ok) accepted++;
    else
      errors.push(
        ...r.errors.map((e) => `${file}: ${e.input === '(top)' ? i : `${i}.${e.input}`}: ${e.message}`),
      );
  });
  return { accepted, rejected: list.length - accepted, errors };
}
