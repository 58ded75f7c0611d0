// One versioned migration of the control plane's schema, in the SQL of each database it runs on. The lists
// say which database gets which: the embedded default keeps the registry, the alert log and the scorecard in
// four SQLite files under the data dir; PostgreSQL holds all of them in one database.
import { registry } from './migrations/0001-registry.js';
import { credentials } from './migrations/0002-credentials.js';
import { alertLog } from './migrations/0003-alert-log.js';
import { scorecard } from './migrations/0004-scorecard.js';
import { people } from './migrations/0005-people.js';

export interface Migration {
  /** Recorded once applied; never renamed. */
  name: string;
  sqlite: string;
  postgres: string;
}

/** registry.sqlite: the inventory and the credentials. */
export const REGISTRY_MIGRATIONS: readonly Migration[] = [registry, credentials];
/** alerts.sqlite. */
export const ALERT_MIGRATIONS: readonly Migration[] = [alertLog];
/** scorecard.sqlite. */
export const SCORECARD_MIGRATIONS: readonly Migration[] = [scorecard];
/** people.sqlite: accounts, sessions, personal tokens and the audit trail. */
export const PEOPLE_MIGRATIONS: readonly Migration[] = [people];
/** A PostgreSQL control plane, in order. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [registry, credentials, alertLog, scorecard, people];
