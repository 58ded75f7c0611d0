// The scorecard's tables (issue 6) as `citygauge` created them with db.exec before migrations were recorded:
// IF NOT EXISTS, so a scorecard.sqlite made by that code is adopted as it is, without a row rewritten.
import type { Migration } from '../migration.js';

const sqlite = `
CREATE TABLE IF NOT EXISTS entries (entry_id INTEGER PRIMARY KEY AUTOINCREMENT, indicator TEXT NOT NULL,
  period TEXT NOT NULL, inputs TEXT NOT NULL, value REAL, source TEXT NOT NULL, entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL, superseded_by INTEGER, superseded_at INTEGER);
CREATE INDEX IF NOT EXISTS entries_current ON entries (indicator, period, superseded_by);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS self_assessments (assessment_id INTEGER PRIMARY KEY AUTOINCREMENT,
  component TEXT NOT NULL, assessment TEXT NOT NULL, recorded_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS composites (id TEXT PRIMARY KEY, definition TEXT NOT NULL, updated_at INTEGER NOT NULL);
`;

// PostgreSQL: each node numbers the rows it writes from its in-memory view (the next after the highest it
// knows), so ids are plain BIGINTs and two nodes numbering alike collide on the key instead of both landing.
// At most one standing entry per indicator and period, whichever node wrote it. Times are milliseconds.
const postgres = `
CREATE TABLE IF NOT EXISTS scorecard_entries (entry_id BIGINT PRIMARY KEY, indicator TEXT NOT NULL,
  period TEXT NOT NULL, inputs TEXT NOT NULL, value DOUBLE PRECISION, source TEXT NOT NULL,
  entered_by TEXT NOT NULL, entered_at BIGINT NOT NULL, superseded_by BIGINT, superseded_at BIGINT);
CREATE UNIQUE INDEX IF NOT EXISTS scorecard_entries_current ON scorecard_entries (indicator, period)
  WHERE superseded_by IS NULL;
CREATE TABLE IF NOT EXISTS scorecard_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL,
  updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS scorecard_self_assessments (assessment_id BIGINT PRIMARY KEY,
  component TEXT NOT NULL, assessment TEXT NOT NULL, recorded_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS scorecard_composites (id TEXT PRIMARY KEY, definition TEXT NOT NULL,
  updated_at BIGINT NOT NULL);
`;

export const scorecard: Migration = { name: '0004-scorecard', sqlite, postgres };
