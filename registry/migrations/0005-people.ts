// People (issue 12): accounts, sessions, personal tokens and the hash-chained audit trail. Session and token
// secrets are stored as SHA-256 digests only; passwords as scrypt hashes. The audit table's `before` and
// `after` are JSON text, exactly as hashed, so a verification reads back what was chained.
import type { Migration } from '../migration.js';

const sqlite = `
CREATE TABLE IF NOT EXISTS accounts (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, source TEXT NOT NULL, password_hash TEXT,
  must_change_password INTEGER NOT NULL, disabled INTEGER NOT NULL, oidc_subject TEXT UNIQUE,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_sign_in_at INTEGER);
CREATE TABLE IF NOT EXISTS sessions (
  digest TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
  csrf TEXT NOT NULL, address TEXT, method TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_name ON sessions (name);
CREATE TABLE IF NOT EXISTS personal_tokens (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, label TEXT, digest TEXT NOT NULL, created_at INTEGER NOT NULL,
  expires_at INTEGER, last_used_at INTEGER);
CREATE INDEX IF NOT EXISTS personal_tokens_name ON personal_tokens (name);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT, via TEXT NOT NULL,
  address TEXT, action TEXT NOT NULL, target TEXT, before TEXT NOT NULL, after TEXT NOT NULL,
  outcome TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor, seq);
CREATE INDEX IF NOT EXISTS audit_action ON audit (action, seq);
CREATE INDEX IF NOT EXISTS audit_target ON audit (target, seq);
`;

// Times are milliseconds (BIGINT), flags booleans.
const postgres = sqlite
  .replaceAll(' INTEGER NOT NULL, disabled INTEGER', ' BOOLEAN NOT NULL, disabled BOOLEAN')
  .replaceAll('seq INTEGER PRIMARY KEY', 'seq BIGINT PRIMARY KEY')
  .replaceAll(' INTEGER', ' BIGINT');

export const people: Migration = { name: '0005-people', sqlite, postgres };
