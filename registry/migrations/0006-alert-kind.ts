// Burn-rate alerts (issue 14 item 5) beside threshold alerts: each alert's kind, and a burn-rate alert's
// objective, windows and burn rates as JSON.
import type { Migration } from '../migration.js';

const sql = `
ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'threshold';
ALTER TABLE alerts ADD COLUMN detail TEXT;
`;

export const alertKind: Migration = { name: '0006-alert-kind', sqlite: sql, postgres: sql };
