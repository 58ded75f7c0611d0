// `--db postgres://…` for the scorecard's commands: `scorecard import` writes into the PostgreSQL every node
// reads (and a dry run or a failed --strict import writes nothing there), `report` reads it, two `citygauge
// start` nodes serve an entry made through either, and an unreachable database is named with the fix.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { inventoryDir, tempDir } from '../support/tmp.js';

const ADMIN = 'scorecard-db-admin-token-0123456789abcdef';
const HEADER =
  'indicator,period,source,entered_by,oneStopServices,governmentServices,socialMonitoringPoints,' +
  'recommendationServicePoints,openDataActivityPoints,webSites,selfServiceMachines,mobileApps,hotlineAndSms';
const GOOD = [
  'L1.1.1,2026,Statistics office,M. Jansen,390,520,,,,,,,',
  'L1.3.1,2026,Social insurance bureau,R. Tanaka,,,,,,yes,no,1,0',
];
const BAD = 'L1.1.1,2026-Q1,Statistics office,M. Jansen,600,520,,,,,,,';
const csv = (rows: string[]) =>
  join(inventoryDir({ 'scorecard-2026.csv': `${[HEADER, ...rows].join('\n')}\n` }), 'scorecard-2026.csv');

let server: TestPostgres;
const cities: CityProcess[] = [];
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await Promise.all(cities.map((c) => c.stop()));
  await server?.stop();
});

const entriesIn = async (url: string) => {
  const store = await ScorecardStore.openPostgres(url);
  try {
    return store.history().map((e) => `${e.indicator}@${e.period}=${e.value}`);
  } finally {
    await store.close();
  }
};

describe('citygauge scorecard import and report --db', () => {
  it('imports into the PostgreSQL, writes nothing on a dry run or a failed --strict import, and reports from it', async () => {
    const url = await server.createDatabase();
    const data = tempDir();
    const dry = await runCli([
      'scorecard',
      'import',
      csv(GOOD),
      '--db',
      url,
      '--dry-run',
      '--data-dir',
      data,
    ]);
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toBe('dry run, nothing written: would import 2 entries\n');
    const strict = await runCli(['scorecard', 'import', csv([...GOOD, BAD]), '--db', url, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe('nothing imported: --strict and 1 error; fix them and run again\n');
    expect(await entriesIn(url)).toEqual([]);

    const r = await runCli(['scorecard', 'import', csv(GOOD), '--db', url, '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported into postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+: 2 entries\n$/);
    expect(await entriesIn(url)).toEqual(['L1.1.1@2026=75', 'L1.3.1@2026=50']);

    // The report reads the same entries; the data dir holds none.
    const out = join(tempDir(), 'report-2026.html');
    const report = await runCli([
      'report',
      '--period',
      '2026',
      '--db',
      url,
      '--data-dir',
      data,
      '--out',
      out,
    ]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/, 2 of \d+ indicators with a value\n/);
    const rows = readFileSync(out.replace(/\.html$/, '.csv'), 'utf8').split('\r\n');
    expect(rows.find((row) => row.startsWith('indicator,L1.1.1,'))).toContain(',75,');
    const withoutDb = await runCli(['report', '--period', '2026', '--data-dir', data, '--out', out]);
    expect(withoutDb.stdout).toMatch(/, 0 of \d+ indicators with a value\n/);
    // Seven commands, each a process of its own, on a shared machine.
  }, 120_000);

  it.each([
    ['scorecard import', (url: string) => ['scorecard', 'import', csv(GOOD), '--db', url]],
    ['report', (url: string) => ['report', '--period', '2026', '--db', url, '--data-dir', tempDir()]],
  ])(
    '%s stops with a message naming --db when the database cannot be reached',
    async (_, args) => {
      const url = `postgres://citygauge:hunter2@127.0.0.1:${await freePort()}/city`;
      const r = await runCli(args(url), { timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /cannot reach PostgreSQL at postgres:\/\/citygauge:\*\*\*@127\.0\.0\.1:\d+\/city .*check --db/,
      );
      expect(r.stderr).not.toContain('hunter2');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    },
    60_000,
  );
});

describe('citygauge start --db: the scorecard', () => {
  it('is seeded once and serves on a second node an entry made through the first, within a second', async () => {
    const url = await server.createDatabase();
    const args = ['--db', url, '--no-sim', '--no-red'];
    const a = await startCity(args, { CITYGAUGE_ADMIN_TOKEN: ADMIN });
    cities.push(a);
    const b = await startCity(args, { CITYGAUGE_ADMIN_TOKEN: ADMIN });
    cities.push(b);
    // The sample city's scorecard-*.csv, imported by the first node only.
    const [onA, onB] = await Promise.all([
      a.api('GET', '/api/scorecard/inputs'),
      b.api('GET', '/api/scorecard/inputs'),
    ]);
    expect(onA.body.length).toBeGreaterThan(10);
    expect(onB.body).toEqual(onA.body);
    expect(await entriesIn(url)).toHaveLength(onA.body.length);

    const created = await a.api('POST', '/api/scorecard/inputs', {
      indicator: 'L1.1.1',
      period: '2031',
      inputs: { oneStopServices: 390, governmentServices: 520 },
      source: 'Statistics office',
      by: 'M. Jansen',
    });
    expect(created.status).toBe(201);
    const enteredAt = Date.now();
    const seen = await b.until(
      () => b.api('GET', '/api/scorecard/inputs?indicator=L1.1.1&period=2031'),
      (r) => r.body.length === 1,
      'node b serves the 2031 entry',
      5_000,
    );
    // Within a second plus one HTTP round trip each poll, on a busy shared machine.
    expect(Date.now() - enteredAt).toBeLessThan(2_000);
    expect(seen.body[0]).toMatchObject({ value: 75, enteredBy: 'M. Jansen' });
    // A second value through b without replace meets a's: 409, as on one node.
    const again = await b.api('POST', '/api/scorecard/inputs', {
      indicator: 'L1.1.1',
      period: '2031',
      inputs: { oneStopServices: 400, governmentServices: 520 },
      source: 'Statistics office',
      by: 'A. Okafor',
    });
    expect(again.status).toBe(409);
    expect(again.body.current).toMatchObject({ enteredBy: 'M. Jansen' });
  }, 120_000);
});
