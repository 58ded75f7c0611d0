// One versioned migration of the control plane's schema, in the SQL of each database it runs on. The lists
// say which database gets which: the embedded default keeps the registry, the alert log and the scorecard in
// four SQLite files under the data dir; PostgreSQL holds all of them in one database.
import { registry } from './migrations/0001-registry.js';
import { credentials } from './migrations/0002-credentials.js';
import { alertLog } from './migrations/0003-alert-log.js';
import { scorecard } from './migrations/0004-scorecard.js';
import { people } from './migrations/0005-people.js';
import { alertKind } from './migrations/0006-alert-kind.js';
import { indicatorChanges } from './migrations/0007-indicator-changes.js';
import { maintenance } from './migrations/0008-maintenance.js';
import { incidents } from './migrations/0009-incidents.js';

export interface Migration {
  /** Recorded once applied; never renamed. */
  name: string;
  sqlite: string;
  postgres: string;
}

/** registry.sqlite: the inventory, the credentials and the maintenance windows. */
export const REGISTRY_MIGRATIONS: readonly Migration[] = [registry, credentials, maintenance];
/** alerts.sqlite. */
export const ALERT_MIGRATIONS: readonly Migration[] = [alertLog, alertKind];
/** scorecard.sqlite. */
export const SCORECARD_MIGRATIONS: readonly Migration[] = [scorecard];
/** people.sqlite: accounts, sessions, personal tokens and the audit trail. */
export const PEOPLE_MIGRATIONS: readonly Migration[] = [people];
/** indicator-changes.sqlite: the change log of user-defined indicators. */
export const INDICATOR_CHANGE_MIGRATIONS: readonly Migration[] = [indicatorChanges];
/** incidents.sqlite: root-cause incidents and the alerts linked to them. */
export const INCIDENT_MIGRATIONS: readonly Migration[] = [incidents];
/** A PostgreSQL control plane, in order. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  registry,
  credentials,
  alertLog,
  scorecard,
  people,
  alertKind,
  indicatorChanges,
  maintenance,
  incidents,
];
