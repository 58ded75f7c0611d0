// The change log of user-defined indicators (issue 14 item 6): each new definition seen at a start, and
// each recompute of an indicator's history, in the order they happened.
import type { Migration } from '../migration.js';

const sqlite = `
CREATE TABLE IF NOT EXISTS indicator_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, indicator TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL,
  hash TEXT NOT NULL, previous_hash TEXT, definition TEXT NOT NULL, detail TEXT, actor TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS indicator_changes_indicator ON indicator_changes (indicator, seq);
`;

// Times are milliseconds (BIGINT); the sequence is PostgreSQL's own.
const postgres = sqlite
  .replace('seq INTEGER PRIMARY KEY AUTOINCREMENT', 'seq BIGSERIAL PRIMARY KEY')
  .replaceAll(' INTEGER', ' BIGINT');

export const indicatorChanges: Migration = { name: '0007-indicator-changes', sqlite, postgres };
