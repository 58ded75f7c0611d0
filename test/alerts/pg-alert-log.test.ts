// The alert log behind --db: what PostgreSQL gives back after a restart is what SQLite gives back for the
// same raises, acknowledgements, clears and waits; and an alerts.sqlite made before migrations is adopted.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertLog, SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import type { Alert } from '../../engine/alerts/alert-machine.js';
import { PgAlertLog } from '../../engine/alerts/pg-alert-log.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

const T0 = Date.UTC(2026, 11, 5, 8, 0, 0);
const raised = (indicator: string, scope: string, at: number, value: number): Alert => ({
  alertId: `${indicator}@${scope}@${at}`,
  ...{ indicator, scope, severity: 'critical', below: 98, clearAt: 99.5, raisedAt: at, value },
});

/** A morning of alerts: two raised, one acknowledged then cleared, a wait started and one ended. */
function morning(log: AlertLog): void {
  const gateways = raised('availability.cctv-gateway', 'city', T0, 50);
  const pipes = raised('coverage.pipe', 'north', T0 + 60_000, 87.25);
  log.record(gateways);
  log.record(pipes);
  log.record({ ...gateways, acknowledgedAt: T0 + 90_000, acknowledgedBy: 'Dana Ortiz' });
  log.record({
    ...gateways,
    acknowledgedAt: T0 + 90_000,
    acknowledgedBy: 'Dana Ortiz',
    clearedAt: T0 + 300_000,
  });
  // An error budget burning (issue 14 item 5): its kind and detail come back as they went in.
  log.record({
    ...raised('availability.cctv', 'city', T0 + 200_000, 80),
    alertId: `availability.cctv@city@page@${T0 + 200_000}`,
    kind: 'burn-rate',
    detail: {
      rule: 'page',
      target: 99.5,
      window: '30d',
      burnRate: 14.4,
      windows: { '1h': 15, '5m': 40 },
      budgetLeft: 0.25,
    },
  });
  log.recordWait({ indicator: 'availability.sensor', scope: 'east', below: 90, since: T0 + 120_000 });
  log.recordWait({ indicator: 'availability.sensor', scope: 'west', below: 90, since: T0 + 130_000 });
  log.recordWait({ indicator: 'availability.sensor', scope: 'west', below: 90 });
}

const readBack = (log: AlertLog) => ({
  open: log.open(),
  list: log.list(),
  newest: log.list(1),
  one: log.get(`coverage.pipe@north@${T0 + 60_000}`),
  waits: log.waits(),
});

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describe('the alert log on PostgreSQL', () => {
  it('gives back after a restart what SQLite gives back', async () => {
    const dir = tempDir();
    const sqlite = await SqliteAlertLog.open(dir);
    morning(sqlite);
    sqlite.close();
    const fromSqlite = readBack(await SqliteAlertLog.open(dir));

    const url = await server.createDatabase();
    const pg = await PgAlertLog.open(url);
    morning(pg);
    expect(readBack(pg)).toEqual(fromSqlite);
    await pg.written();
    await pg.close();
    const reopened = await PgAlertLog.open(url);
    expect(readBack(reopened)).toEqual(fromSqlite);
    expect(fromSqlite.open.map((a) => a.indicator)).toEqual(['coverage.pipe', 'availability.cctv']);
    expect(fromSqlite.open[1]).toMatchObject({
      kind: 'burn-rate',
      detail: { rule: 'page', windows: { '5m': 40 } },
    });
    expect(fromSqlite.list.find((a) => a.indicator === 'coverage.pipe')?.kind).toBeUndefined();
    expect(fromSqlite.waits).toEqual([
      { indicator: 'availability.sensor', scope: 'east', below: 90, since: T0 + 120_000 },
    ]);
    await reopened.close();
  });

  it('adopts an alerts.sqlite made before migrations, alerts and waits kept', async () => {
    const dir = tempDir();
    const old = new Database(join(dir, 'alerts.sqlite'));
    old.exec(`
      CREATE TABLE IF NOT EXISTS alerts (
        alert_id TEXT PRIMARY KEY, indicator TEXT NOT NULL, scope TEXT NOT NULL, severity TEXT NOT NULL,
        below REAL NOT NULL, clear_at REAL NOT NULL, value REAL NOT NULL, raised_at INTEGER NOT NULL,
        acknowledged_at INTEGER, acknowledged_by TEXT, cleared_at INTEGER);
      CREATE INDEX IF NOT EXISTS alerts_open ON alerts (cleared_at);
      CREATE INDEX IF NOT EXISTS alerts_raised ON alerts (raised_at);
      CREATE TABLE IF NOT EXISTS alert_waits (
        indicator TEXT NOT NULL, scope TEXT NOT NULL, below REAL NOT NULL, since INTEGER NOT NULL,
        PRIMARY KEY (indicator, scope, below));
      INSERT INTO alerts VALUES ('a@city@1', 'a', 'city', 'major', 98, 99, 50, 1, NULL, NULL, NULL);
      INSERT INTO alert_waits VALUES ('b', 'city', 90, 7);
    `);
    old.close();
    const log = await SqliteAlertLog.open(dir);
    expect(log.open().map((a) => a.alertId)).toEqual(['a@city@1']);
    expect(log.waits()).toEqual([{ indicator: 'b', scope: 'city', below: 90, since: 7 }]);
    log.close();
  });
});
