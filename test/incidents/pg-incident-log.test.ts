// The incident log behind --db: what PostgreSQL gives back after a restart is what SQLite gives back for the
// same incidents (raised, grown, acknowledged, merged, resolved) and alert links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentGrouper, type IncidentTopology } from '../../engine/incidents/grouper.js';
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
});
