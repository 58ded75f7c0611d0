// Where a command keeps the scorecard: `<data-dir>/scorecard.sqlite` (the embedded default), or the
// PostgreSQL control plane every node of a cluster shares (`--db postgres://…`), beside the registry.
import type { Logger } from 'pino';
import type { HistoryReader } from '../engine/sinks/points.js';
import type { ScorecardSource } from '../http/scorecard.js';
import type { Objective } from '../registry/inventory.js';
import { ControlPlaneError } from '../registry/postgres.js';
import { ScorecardStore } from '../scorecard/admin-inputs.js';
import { liveFromReader } from '../scorecard/live-history.js';
import { periodBudgets } from '../scorecard/period-budgets.js';
import { ScorecardWriteError } from '../scorecard/pg-scorecard.js';
import { CliError } from './errors.js';

/**
 * Open the scorecard store of `--db` or `--data-dir`; a database that cannot be used stops the command
 * with a message naming the fix. Close it with `await store.close()`.
 */
export async function openScorecard(
  opts: { db?: string; dataDir: string },
  log?: Logger,
): Promise<ScorecardStore> {
  if (!opts.db) return ScorecardStore.open(opts.dataDir);
  try {
    return await ScorecardStore.openPostgres(opts.db, { log });
  } catch (err) {
    throw err instanceof ControlPlaneError ? new CliError(err.message) : err;
  }
}

/**
 * The writes made so far, stored; a refused one stops the command with the database's reason, unless it was
 * refused because another node wrote first (409) and `onConflict` takes that.
 */
export async function scorecardWritten(
  store: ScorecardStore,
  onConflict?: (err: ScorecardWriteError) => void,
): Promise<void> {
  try {
    await store.written();
  } catch (err) {
    if (onConflict && err instanceof ScorecardWriteError && err.statusCode === 409) onConflict(err);
    else throw new CliError((err as Error).message);
  }
}

/** What buildApi's `scorecard` option takes: the store, and live values over a period read from history. */
export function scorecardSource(
  store: ScorecardStore,
  history: { reader: HistoryReader; where: string },
  objectives: () => readonly Objective[] = () => [],
): ScorecardSource {
  return {
    store,
    live: (period) => liveFromReader(history.reader, history.where, period, store.catalogue),
    budgets: (period) => periodBudgets(history.reader, objectives(), period),
  };
}
