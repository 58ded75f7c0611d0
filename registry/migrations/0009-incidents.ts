// Root-cause incidents (issue 14 item 1): each incident's latest state (its timeline in `doc`, as JSON), and
// the indicator alerts linked to one because it explains their devices.
import type { Migration } from '../migration.js';

const sqlite = `
CREATE TABLE IF NOT EXISTS incidents (
  incident_id TEXT PRIMARY KEY, cause TEXT NOT NULL, subject TEXT NOT NULL, district TEXT,
  status TEXT NOT NULL, raised_at INTEGER NOT NULL, resolved_at INTEGER, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incidents_open ON incidents (resolved_at);
CREATE INDEX IF NOT EXISTS incidents_raised ON incidents (raised_at);
CREATE TABLE IF NOT EXISTS incident_alerts (
  incident_id TEXT NOT NULL, alert_id TEXT NOT NULL, linked_at INTEGER NOT NULL,
  PRIMARY KEY (incident_id, alert_id));
CREATE INDEX IF NOT EXISTS incident_alerts_alert ON incident_alerts (alert_id);
`;

// Times are milliseconds (BIGINT in PostgreSQL).
const postgres = sqlite.replaceAll(' INTEGER', ' BIGINT');

export const incidents: Migration = { name: '0009-incidents', sqlite, postgres };
