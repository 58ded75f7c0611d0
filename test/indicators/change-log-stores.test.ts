// The change log on both stores (migration 0007): the same entries back from SQLite and PostgreSQL, a
// restart recording nothing new for an unchanged definition and one entry for a changed one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeLogStore, recordDefinitions } from '../../indicators/change-log.js';
import { PgChangeLog, SqliteChangeLog } from '../../indicators/change-log-stores.js';
import { IndicatorSchema } from '../../indicators/definition.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

const v1 = IndicatorSchema.parse({
  id: 'cams-up',
  name: 'Cameras up',
  kind: 'device-share',
  devices: { kind: 'cctv' },
  numerator: { condition: 'online' },
});
const v2 = { ...v1, numerator: { condition: 'available' as const } };
const other = { ...v1, id: 'hd-cams', numerator: { condition: 'registered' as const, hd: true } };
const T0 = Date.parse('2026-01-05T08:00:00Z');

/** Three starts, the second with the same file, the third with cams-up changed, each on a freshly opened store. */
async function starts(open: () => Promise<ChangeLogStore>) {
  for (const [i, defs] of [
    [v1, other],
    [v1, other],
    [v2, other],
  ].entries()) {
    const store = await open();
    await recordDefinitions(store, defs, T0 + i * 60_000);
    await store.close();
  }
  const store = await open();
  try {
    return { cams: await store.list('cams-up'), hd: await store.list('hd-cams') };
  } finally {
    await store.close();
  }
}

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describe('the indicator change log', () => {
  it('keeps the same entries on SQLite and PostgreSQL', async () => {
    const dir = tempDir();
    const fromSqlite = await starts(async () => new SqliteChangeLog(dir));
    const url = await server.createDatabase();
    const fromPg = await starts(() => PgChangeLog.open(url));
    expect(fromPg).toEqual(fromSqlite);
    expect(
      fromSqlite.cams.map((e) => [
        e.at,
        e.kind,
        e.definition.kind === 'device-share' && e.definition.numerator,
      ]),
    ).toEqual([
      [T0, 'definition', { condition: 'online' }],
      [T0 + 120_000, 'definition', { condition: 'available' }],
    ]);
    expect(fromSqlite.cams[1].previousHash).toBe(fromSqlite.cams[0].hash);
    expect(fromSqlite.hd).toHaveLength(1);
  });
});
