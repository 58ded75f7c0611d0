// The incident log behind --db: what PostgreSQL gives back after a restart is what SQLite gives back for the
// same incidents (raised, grown, acknowledged, merged, resolved) and alert links.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentGrouper } from '../../engine/incidents/grouper.js';
import type { Incident, IncidentTopology } from '../../engine/incidents/incident.js';
import { type IncidentLog, SqliteIncidentLog } from '../../engine/incidents/incident-log.js';
import { PgIncidentLog } from '../../engine/incidents/pg-incident-log.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

const T0 = Date.UTC(2026, 11, 5, 8, 0, 0);
const S = 1000;

const topology: IncidentTopology = {
  gatewayOf: (d) => (d.startsWith('cam-') ? 'gw-1' : undefined),
  isGateway: (d) => d === 'gw-1',
  districtOf: (d) => (d.startsWith('e-') ? 'east' : 'centre'),
  districtSize: (d) => (d === 'east' ? 4 : 20),
};

/** A morning: a gateway loss acknowledged and resolved, a power cut in east that took over e-1's incident. */
function morning(log: IncidentLog): void {
  const g = new IncidentGrouper(topology);
  const flush = () => {
    for (const e of g.takeEvents()) log.record(e.incident);
  };
  g.onDown('gw-1', T0);
  g.onDown('cam-1', T0);
  g.onDown('cam-2', T0);
  flush();
  const gateway = g.open()[0].id;
  log.link(gateway, 'L2.2.1.b4@centre@1', T0 + 60 * S);
  log.link(gateway, 'L2.2.1.b4@centre@1', T0 + 61 * S); // linked once
  g.acknowledge(gateway, 'Dana Ortiz', T0 + 90 * S);
  for (const d of ['gw-1', 'cam-1', 'cam-2']) g.onUp(d, T0 + 100 * S);
  g.advance(T0 + 400 * S);
  g.onDown('e-1', T0 + 500 * S);
  g.onDown('e-2', T0 + 510 * S);
  flush();
}

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describe('PgIncidentLog', () => {
  it('gives back after a restart what SQLite gives back', async () => {
    const dir = tempDir();
    const sqlite = await SqliteIncidentLog.open(dir);
    morning(sqlite);
    sqlite.close();
    const url = await server.createDatabase();
    const pg = await PgIncidentLog.open(url);
    morning(pg);
    await pg.written();
    await pg.close();

    const a = await SqliteIncidentLog.open(dir);
    const b = await PgIncidentLog.open(url);
    try {
      const list = a.list();
      expect(list.map((i) => [i.cause, i.subject, i.status])).toEqual([
        ['district', 'east', 'open'],
        ['device', 'e-1', 'resolved'],
        ['gateway', 'gw-1', 'resolved'],
      ]);
      expect(b.list()).toEqual(list);
      expect(b.open()).toEqual(a.open());
      const gateway = list[2].id;
      expect(list[1].mergedInto).toBe(list[0].id);
      expect(b.get(gateway)).toEqual(a.get(gateway));
      expect(b.get(gateway)?.timeline.map((e) => [e.kind, e.by])).toEqual([
        ['raised', undefined],
        ['acknowledged', 'Dana Ortiz'],
        ['resolved', undefined],
      ]);
      expect(b.alertsOf(gateway)).toEqual(['L2.2.1.b4@centre@1']);
      expect(a.alertsOf(gateway)).toEqual(['L2.2.1.b4@centre@1']);
    } finally {
      a.close();
      await b.close();
    }
  });

  it('keeps every incident still open and the newest resolved ones in memory, the rest in the table', async () => {
    const url = await server.createDatabase();
    const incident = (n: number, resolved: boolean): Incident => ({
      id: `dev-${n}-x`,
      cause: 'device',
      subject: `dev-${n}`,
      district: null,
      status: resolved ? 'resolved' : 'open',
      raisedAt: T0 + n * S,
      ...(resolved ? { resolvedAt: T0 + n * S + 1 } : {}),
      devices: [`dev-${n}`],
      effects: [],
      downNow: resolved ? 0 : 1,
      refailures: 0,
      timeline: [{ at: T0 + n * S, kind: 'raised', devices: [`dev-${n}`] }],
    });
    const log = await PgIncidentLog.open(url, undefined, 10);
    // The oldest is still open; 30 newer ones resolved.
    log.record(incident(0, false));
    for (let n = 1; n <= 30; n++) log.record(incident(n, true));
    await log.written();
    const ids = (list: Incident[]) => list.map((i) => i.subject);
    const newest = Array.from({ length: 10 }, (_, k) => `dev-${30 - k}`);
    // At most a tenth over the bound in memory; the open one always.
    expect(log.list(5000).length).toBeLessThanOrEqual(12);
    expect(ids(log.list(10))).toEqual(newest);
    expect(ids(log.open())).toEqual(['dev-0']);
    await log.close();
    // A restart reads back the same: every open one and the newest ten resolved.
    const again = await PgIncidentLog.open(url, undefined, 10);
    try {
      expect(ids(again.list(5000))).toEqual([...newest, 'dev-0']);
      expect(again.get('dev-1-x')).toBeUndefined();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const all = await client.query('SELECT count(*)::int AS n FROM incidents').finally(() => client.end());
      expect(all.rows[0].n).toBe(31);
    } finally {
      await again.close();
    }
  });
});
