// The registry's tables (docs/contract.md §5) as `citygauge` created them before migrations were recorded: IF NOT
// EXISTS, so a data dir made by that code is adopted as it is, without a row rewritten.
import type { Migration } from '../migration.js';

const sqlite = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS areas (id TEXT PRIMARY KEY, class TEXT NOT NULL, district TEXT NOT NULL,
  name TEXT NOT NULL, attributes TEXT);
CREATE TABLE IF NOT EXISTS pipe_segments (id TEXT PRIMARY KEY, length_m REAL NOT NULL, district TEXT NOT NULL,
  attributes TEXT);
CREATE TABLE IF NOT EXISTS routes (id TEXT PRIMARY KEY, short_name TEXT, long_name TEXT, type INTEGER,
  district TEXT, attributes TEXT);
CREATE TABLE IF NOT EXISTS sites (id TEXT PRIMARY KEY, class TEXT NOT NULL, district TEXT NOT NULL,
  name TEXT NOT NULL, attributes TEXT);
CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, kind TEXT NOT NULL, district TEXT, asset_id TEXT,
  gateway_id TEXT, hd INTEGER NOT NULL, expected_interval_s REAL NOT NULL, lat REAL, lon REAL, attributes TEXT);
CREATE TABLE IF NOT EXISTS simulated (id TEXT PRIMARY KEY);
`;

// PostgreSQL: REAL is 4 bytes there, so DOUBLE PRECISION keeps SQLite's 8-byte floats; attributes stay the
// JSON text the importer wrote, so a round trip gives back the same object, key order included.
const postgres = sqlite.replaceAll(' REAL', ' DOUBLE PRECISION');

export const registry: Migration = { name: '0001-registry', sqlite, postgres };
