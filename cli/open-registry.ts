// Where a command keeps its registry, credentials and alert log: the SQLite file in --data-dir (the embedded
// default), or the PostgreSQL control plane every node of a cluster shares (`--db postgres://…`).
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { type AlertLog, SqliteAlertLog } from '../engine/alerts/alert-log.js';
import { PgAlertLog } from '../engine/alerts/pg-alert-log.js';
import { type IncidentLog, SqliteIncidentLog } from '../engine/incidents/incident-log.js';
import { PgIncidentLog } from '../engine/incidents/pg-incident-log.js';
import { PgRegistryStore } from '../registry/pg-store.js';
import { ControlPlaneError } from '../registry/postgres.js';
import type { RegistryBackend } from '../registry/registry-backend.js';
import { RegistryStore } from '../registry/store.js';
import { CliError } from './errors.js';

export interface DbFlag {
  dataDir: string;
  /** postgres://… ; the data dir's SQLite when absent. */
  db?: string;
}

export function addDbOption(cmd: Command): Command {
  return cmd.option(
    '--db <url>',
    'keep the registry, credentials, alert log, scorecard, people and audit trail in this PostgreSQL (postgres://user:password@host:5432/db), shared by every node, instead of --data-dir',
  );
}

/** Open the registry; a database that cannot be used stops the command with a message naming the fix. */
export async function openRegistryBackend(opts: DbFlag, log?: Logger): Promise<RegistryBackend> {
  if (!opts.db) return RegistryStore.open(opts.dataDir);
  try {
    return await PgRegistryStore.open(opts.db, log);
  } catch (err) {
    throw err instanceof ControlPlaneError ? new CliError(err.message) : err;
  }
}

/** The alert log beside the registry: alerts.sqlite in the data dir, or the same PostgreSQL. */
export async function openAlertLog(opts: DbFlag, log?: Logger): Promise<AlertLog> {
  if (!opts.db) return SqliteAlertLog.open(opts.dataDir);
  try {
    return await PgAlertLog.open(opts.db, log);
  } catch (err) {
    throw err instanceof ControlPlaneError ? new CliError(err.message) : err;
  }
}

/** The incident log beside the alert log: incidents.sqlite in the data dir, or the same PostgreSQL. */
export async function openIncidentLog(opts: DbFlag, log?: Logger): Promise<IncidentLog> {
  if (!opts.db) return SqliteIncidentLog.open(opts.dataDir);
  try {
    return await PgIncidentLog.open(opts.db, log);
  } catch (err) {
    throw err instanceof ControlPlaneError ? new CliError(err.message) : err;
  }
}
