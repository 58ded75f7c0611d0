// Device and service credentials: the SHA-256 digest of each token, never the token.
import type { Migration } from '../migration.js';

const sqlite = `
CREATE TABLE IF NOT EXISTS credentials (
  subject TEXT PRIMARY KEY, type TEXT NOT NULL, digest BLOB NOT NULL, issued_at INTEGER NOT NULL);
`;

// Milliseconds since 1970 overflow PostgreSQL's 4-byte INTEGER; SQLite's INTEGER is 8 bytes already.
const postgres = `
CREATE TABLE IF NOT EXISTS credentials (
  subject TEXT PRIMARY KEY, type TEXT NOT NULL, digest BYTEA NOT NULL, issued_at BIGINT NOT NULL);
`;

export const credentials: Migration = { name: '0002-credentials', sqlite, postgres };
