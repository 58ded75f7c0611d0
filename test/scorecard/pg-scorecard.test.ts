// The scorecard on a PostgreSQL shared by several nodes (`--db`): the same answers as scorecard.sqlite for
// the same writes, a change on one node seen by another within a second (LISTEN/NOTIFY), two nodes entering
// the same value at once refused for one of them, CSV dry runs and strict imports that write nothing, and an
// unreachable database named with the fix.
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControlPlaneError } from '../../registry/postgres.js';
import { type EntryRequest, ScorecardStore } from '../../scorecard/admin-inputs.js';
import { importScorecardCsv } from '../../scorecard/import-csv.js';
import { ScorecardWriteError } from '../../scorecard/pg-scorecard.js';
import { freePort } from '../support/ports.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { inventoryDir, tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

let server: TestPostgres;
const opened: ScorecardStore[] = [];
const clock = () => {
  let at = Date.parse('2026-03-01T09:00:00Z');
  return () => (at += 60_000);
};
const open = async (url: string, now = clock()) => {
  const store = await ScorecardStore.openPostgres(url, { now });
  opened.push(store);
  return store;
};

beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(() => server?.stop());

const oneStop = (n: number, by = 'M. Jansen', extra: Partial<EntryRequest> = {}): EntryRequest => ({
  indicator: 'L1.1.1',
  period: '2026',
  inputs: { oneStopServices: n, governmentServices: 520 },
  source: 'City statistics office 2026 annual report',
  by,
  ...extra,
});
const DRILLS = {
  id: 'L6.2.9',
  name: 'Security incident response drills per year',
  description: '25 points per drill, at most 100',
  section: '7.6.2',
  secondLevel: 'L6.2',
  source: 'administrative',
  method: {
    method: 'capped-count',
    count: { name: 'drills', description: 'drills held in the year' },
    pointsEach: 25,
    cap: 100,
  },
};

/** What an administrator does in a session, outcomes kept: entries, a refused one, a replacement, settings. */
function session(store: ScorecardStore) {
  return [
    store.setUserIndicators([DRILLS]),
    store.enter(oneStop(390)),
    store.enter(oneStop(400, 'A. Okafor')),
    store.enter(oneStop(416, 'A. Okafor', { replace: true })),
    store.enter({ ...oneStop(300), period: '2026-Q3' }),
    store.enter({
      indicator: 'L6.2.9',
      period: '2026',
      inputs: { drills: 3 },
      source: 'CISO office',
      by: 'K. Osei',
    }),
    store.enter(oneStop(600)),
    store.setWeights({ 'L1.1.1': 2, 'L6.2.9': 0.5 }),
    store.setMaturityBands([10, 30, 50, 90]),
    store.addSelfAssessment({
      component: 'physical-asset-management',
      level: 5,
      by: 'P. Haddad',
      at: '2026-11-20T10:00:00Z',
      evidence: ['L2.1.1'],
    }),
    store.setComposite('resilience', {
      name: 'Resilience index',
      parts: [
        { ref: 'L1.1.1', weight: 1 },
        { ref: 'preparedness', weight: 1 },
      ],
    }),
    store.enter({
      indicator: 'resilience',
      period: '2026',
      inputs: { preparedness: 60 },
      source: 'Preparedness survey',
      by: 'M. Jansen',
    }),
  ];
}

/** Everything a store answers, as the HTTP routes and the report read it. */
const answers = (store: ScorecardStore) => ({
  isEmpty: store.isEmpty(),
  history: store.history(),
  l111: store.history({ indicator: 'L1.1.1', period: '2026' }),
  current2026: [...store.current('2026')],
  weights: store.weights(),
  bands: store.maturityBands(),
  selfAssessments: store.selfAssessments(),
  composites: store.composites(),
  userIndicators: store.userIndicators(),
});

describe('the scorecard on PostgreSQL', () => {
  it('answers as scorecard.sqlite does for the same writes, and keeps them for the next node to open', async () => {
    const sqlite = ScorecardStore.open(tempDir(), { now: clock() });
    const fromSqlite = session(sqlite);
    const expected = answers(sqlite);
    sqlite.close();
    // A second value without replace (409) and a numerator above its denominator (400) are refused.
    expect(fromSqlite.map((r) => r.ok)).toEqual([
      true,
      true,
      false,
      true,
      true,
      true,
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(expected.history).toHaveLength(5);

    const url = await server.createDatabase();
    const store = await open(url);
    expect(store.isEmpty()).toBe(true);
    expect(session(store)).toEqual(fromSqlite);
    expect(answers(store)).toEqual(expected);
    await store.written();

    const next = await open(url);
    expect(answers(next)).toEqual(expected);
    expect(next.isUserDefined('L6.2.9')).toBe(true);
  });

  it('shows an entry, a weight and the city’s own indicators made on one node on another within a second', async () => {
    const url = await server.createDatabase();
    const a = await open(url);
    const b = await open(url);
    const started = Date.now();
    const r = a.enter(oneStop(390));
    expect(r.ok).toBe(true);
    a.setWeights({ 'L1.1.1': 3 });
    await waitFor('node b to see the entry made on node a', () => b.current('2026').get('L1.1.1'), 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(b.history()).toEqual(a.history());
    expect(b.weights()).toEqual({ 'L1.1.1': 3 });

    // The city's own indicators are the catalogue on every node: b takes an entry for one a defined.
    a.setUserIndicators([DRILLS]);
    await waitFor('node b to know L6.2.9', () => b.isUserDefined('L6.2.9'), 5_000);
    const drills = b.enter({
      indicator: 'L6.2.9',
      period: '2026',
      inputs: { drills: 2 },
      source: 'CISO office',
      by: 'K. Osei',
    });
    expect(drills).toMatchObject({ ok: true, entry: { value: 50 } });
    await b.written();
    await waitFor('node a to see the L6.2.9 entry', () => a.current('2026').get('L6.2.9'), 5_000);
    // A replacement on b supersedes a's entry everywhere.
    const replaced = b.enter(oneStop(468, 'R. Tanaka', { replace: true }));
    expect(replaced).toMatchObject({ ok: true, superseded: { enteredBy: 'M. Jansen' } });
    await b.written();
    await waitFor(
      'node a to see the replacement',
      () => a.current('2026').get('L1.1.1')?.value === 90,
      5_000,
    );
    expect(a.history()).toEqual(b.history());
  });

  it('refuses one of two nodes entering a value for the same indicator and period at once, keeping the other', async () => {
    const url = await server.createDatabase();
    const a = await open(url);
    const b = await open(url);
    // Neither has heard of the other's yet: both accept in memory, PostgreSQL takes only the first.
    expect(a.enter(oneStop(390, 'M. Jansen')).ok).toBe(true);
    expect(b.enter(oneStop(416, 'A. Okafor')).ok).toBe(true);
    const settled = await Promise.allSettled([a.written(), b.written()]);
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(refused).toHaveLength(1);
    const err = (refused[0] as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(ScorecardWriteError);
    expect(err.statusCode).toBe(409);
    expect(err.message).toMatch(/changed on another node meanwhile.*nothing of this change was stored/);
    // The refused node re-reads: both show the one stored entry.
    const stored = await open(url);
    expect(stored.history()).toHaveLength(1);
    for (const node of [a, b])
      await waitFor(
        () => `both nodes to show ${stored.history()[0].enteredBy}'s entry only`,
        () => JSON.stringify(node.history()) === JSON.stringify(stored.history()),
        5_000,
      );
  });

  it('hears changes again after its listening connection was cut, and gets what was made meanwhile', async () => {
    const url = await server.createDatabase();
    const a = await open(url);
    const b = await open(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const listeners = async () =>
      (
        await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN citygauge_scorecard' ORDER BY pid",
        )
      ).rows.map((r) => r.pid);
    try {
      const cut = await listeners();
      expect(cut).toHaveLength(2);
      for (const pid of cut) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      // Made while b's listener may be away: heard, or read when it reconnects.
      expect(a.enter(oneStop(390)).ok).toBe(true);
      await a.written();
      await waitFor('b sees the entry made during the cut', () => b.current('2026').get('L1.1.1'), 10_000);
      await waitFor('both nodes to listen again', async () => {
        const now = await listeners();
        return now.length === 2 && now.every((pid) => !cut.includes(pid));
      });
      const started = Date.now();
      a.setWeights({ 'L1.1.1': 4 });
      await waitFor('b sees the weight', () => b.weights()['L1.1.1'] === 4, 5_000);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await admin.end();
    }
  });

  it('answers a write PostgreSQL refuses with a 503 naming the database, and drops it from memory', async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query("ALTER TABLE scorecard_entries ADD CONSTRAINT not_2032 CHECK (period <> '2032')");
    await admin.end();
    expect(store.enter({ ...oneStop(390), period: '2031' }).ok).toBe(true);
    expect(store.enter({ ...oneStop(390), period: '2032' }).ok).toBe(true);
    const err = await store.written().catch((e: ScorecardWriteError) => e);
    expect(err).toBeInstanceOf(ScorecardWriteError);
    expect((err as ScorecardWriteError).statusCode).toBe(503);
    expect((err as Error).message).toMatch(
      /^the scorecard could not be stored in PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+ \(.*not_2032.*\): nothing of this change was stored; check --db/,
    );
    await waitFor('the refused entry to leave memory', () => store.history().length === 1, 5_000);
    expect(store.history().map((e) => e.period)).toEqual(['2031']);
    expect(store.isOpen()).toBe(true);
  });

  it('writes nothing for a CSV dry run nor for a --strict import with a bad row, and the good rows otherwise', async () => {
    const header = 'indicator,period,source,entered_by,oneStopServices,governmentServices';
    const good = [
      'L1.1.1,2026,Statistics office,M. Jansen,390,520',
      'L1.1.1,2025,Statistics office,M. Jansen,300,500',
    ];
    const bad = 'L1.1.1,2024,Statistics office,M. Jansen,600,520';
    const file = (rows: string[]) =>
      join(inventoryDir({ 'scorecard-2026.csv': `${[header, ...rows].join('\n')}\n` }), 'scorecard-2026.csv');
    const url = await server.createDatabase();
    const store = await open(url);
    const count = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return Number((await client.query('SELECT count(*) AS n FROM scorecard_entries')).rows[0].n);
      } finally {
        await client.end();
      }
    };

    const dry = await importScorecardCsv(store, file(good), { dryRun: true });
    expect(dry).toMatchObject({ accepted: 2, applied: false });
    const strict = await importScorecardCsv(store, file([...good, bad]), { strict: true });
    expect(strict).toMatchObject({ accepted: 2, rejected: 1, applied: false });
    await store.written();
    expect(store.isEmpty()).toBe(true);
    expect(await count()).toBe(0);
    expect((await open(url)).isEmpty()).toBe(true);

    const lenient = await importScorecardCsv(store, file([...good, bad]));
    expect(lenient).toMatchObject({ accepted: 2, rejected: 1, applied: true });
    await store.written();
    expect(await count()).toBe(2);
    expect((await open(url)).history().map((e) => `${e.period}=${e.value}`)).toEqual(['2026=75', '2025=60']);
  });

  it('names --db and the fix when the database cannot be reached', async () => {
    const url = `postgres://postgres:secret@127.0.0.1:${await freePort()}/citygauge`;
    const err = await ScorecardStore.openPostgres(url).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ControlPlaneError);
    expect((err as Error).message).toMatch(
      /^cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/citygauge \(.*\): check --db, that the server runs/,
    );
  });
});
