// First start of `citygauge start`: the inventory's `scorecard-*.csv` fill an empty scorecard store.
import type { ScorecardStore } from './admin-inputs.js';
import { formatScorecardError, importScorecardCsv, scorecardFiles } from './import-csv.js';

interface SeedLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * First start: import `<inventory dir>/scorecard-*.csv` into an empty store, so the sample city's scorecard
 * is filled. A store that already has entries is left alone; bad rows are logged and the rest applied.
 */
export async function seedScorecard(
  store: ScorecardStore,
  dir: string,
  log: SeedLog,
): Promise<{ files: string[]; accepted: number; rejected: number }> {
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
  return { files, accepted, rejected };
}
