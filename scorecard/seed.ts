// `citygauge start` and `report --inventory`: the inventory's scorecard files fill the scorecard store.
import type { ScorecardStore } from './admin-inputs.js';
import { formatScorecardError, importScorecardCsv } from './import-csv.js';
import {
  importSelfAssessments,
  loadUserIndicators,
  scorecardFiles,
  selfAssessmentFiles,
  userIndicatorFile,
} from './inventory-files.js';

interface SeedLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SeedResult {
  /** The `scorecard-*.csv` imported (none once the store has entries). */
  readonly files: string[];
  readonly accepted: number;
  readonly rejected: number;
  /** Ids of the user-defined indicators loaded from `scorecard-indicators.*`. */
  readonly indicators: string[];
  /** Self-assessments recorded from `self-assessments-*` (none once the store has any). */
  readonly selfAssessments: number;
}

/**
 * Fill the store from an inventory folder:
 * - `scorecard-indicators.json|yaml` (or `indicatorsFile`), every time: the city's own indicators replace
 *   those the store remembered (a file with `[]` drops them; no file leaves them as they are). A bad file
 *   throws ScorecardFileError;
 * - `scorecard-*.csv` while the store has no entry (first start); bad rows are logged, the rest applied;
 * - `self-assessments-*.json|yaml` while the store has no self-assessment; bad entries are logged likewise.
 */
export async function seedScorecard(
  store: ScorecardStore,
  dir: string,
  log: SeedLog,
  options: { indicatorsFile?: string } = {},
): Promise<SeedResult> {
  const indicatorFile = options.indicatorsFile ?? userIndicatorFile(dir);
  const indicators = indicatorFile ? loadUserIndicators(store, indicatorFile).map((d) => d.id) : [];
  if (indicatorFile)
    log.info({ file: indicatorFile, indicators }, 'user-defined scorecard indicators loaded');
  const files = store.isEmpty() ? scorecardFiles(dir) : [];
  let accepted = 0;
  let rejected = 0;
  for (const path of files) {
    const r = await importScorecardCsv(store, path);
    accepted += r.accepted;
    rejected += r.rejected;
    for (const e of r.errors) log.warn({ row: formatScorecardError(e) }, 'scorecard row rejected');
    log.info(
      { file: path, entries: r.accepted, rejected: r.rejected },
      'first start: scorecard inputs imported',
    );
  }
  let selfAssessments = 0;
  for (const path of store.selfAssessments().length === 0 ? selfAssessmentFiles(dir) : []) {
    const r = importSelfAssessments(store, path);
    selfAssessments += r.accepted;
    for (const e of r.errors) log.warn({ entry: e }, 'self-assessment rejected');
    log.info(
      { file: path, selfAssessments: r.accepted, rejected: r.rejected },
      'first start: PAS 181 self-assessments recorded',
    );
  }
  return { files, accepted, rejected, indicators, selfAssessments };
}
