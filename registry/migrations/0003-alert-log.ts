// The alert log: each alert's latest state, and the waits under way (issue 10).
import type { Migration } from '../migration.js';

const sqlite = `
CREATE TABLE IF NOT EXISTS alerts (
  alert_id TEXT PRIMARY KEY, indicator TEXT NOT NULL, scope TEXT NOT NULL, severity TEXT NOT NULL,
  below REAL NOT NULL, clear_at REAL NOT NULL, value REAL NOT NULL, raised_at INTEGER NOT NULL,
  acknowledged_at INTEGER, acknowledged_by TEXT, cleared_at INTEGER);
CREATE INDEX IF NOT EXISTS alerts_open ON alerts (cleared_at);
CREATE INDEX IF NOT EXISTS alerts_raised ON alerts (raised_at);
CREATE TABLE IF NOT EXISTS alert_waits (
  indicator TEXT NOT NULL, scope TEXT NOT NULL, below REAL NOT NULL, since INTEGER NOT NULL,
  PRIMARY KEY (indicator, scope, below));
`;

// Times are milliseconds (BIGINT in PostgreSQL), values 8-byte floats as in SQLite.
const postgres = sqlite.replaceAll(' REAL', ' DOUBLE PRECISION').replaceAll(' INTEGER', ' BIGINT');

export const alertLog: Migration = { name: '0003-alert-log', sqlite, postgres };
