// Maintenance windows (issue 14 item 2): planned work on devices, assets or districts, kept for the record.
import type { Migration } from '../migration.js';

// The targets are JSON arrays of ids: a window is read and written whole, never searched by target in SQL.
const sqlite = `
CREATE TABLE IF NOT EXISTS maintenance_windows (
  id TEXT PRIMARY KEY, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL, reason TEXT NOT NULL,
  planned_by TEXT NOT NULL, devices TEXT NOT NULL, assets TEXT NOT NULL, districts TEXT NOT NULL,
  created_at INTEGER NOT NULL, cancelled_at INTEGER);
CREATE INDEX IF NOT EXISTS maintenance_windows_end ON maintenance_windows (end_at);
`;

// Times are milliseconds (BIGINT in PostgreSQL).
const postgres = sqlite.replaceAll(' INTEGER', ' BIGINT');

export const maintenance: Migration = { name: '0008-maintenance', sqlite, postgres };
