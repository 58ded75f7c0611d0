// `citygauge scorecard import FILE.csv` as a statistics officer runs it: bad rows as file:line: reason.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { runCli } from '../support/cli.js';
import { inventoryDir, tempDir } from '../support/tmp.js';

const HEADER =
  'indicator,period,source,entered_by,oneStopServices,governmentServices,socialMonitoringPoints,' +
  'recommendationServicePoints,openDataActivityPoints,webSites,selfServiceMachines,mobileApps,hotlineAndSms';
const GOOD = [
  'L1.1.1,2026,Statistics office,M. Jansen,390,520,,,,,,,',
  'L1.3.1,2026,Social insurance bureau,R. Tanaka,,,,,,yes,no,1,0',
];
const BAD = [
  'L1.1.1,2026-Q1,Statistics office,M. Jansen,600,520,,,,,,,',
  'L5.2.2,2026,Open data office,J. Ferreira,,,60,15,10,,,,',
  'L9.9.9,2026,Statistics office,M. Jansen,1,2,,,,,,,',
  'L2.1.1,2026,Statistics office,M. Jansen,1,2,,,,,,,',
  'L1.1.1,26,Statistics office,M. Jansen,1,2,,,,,,,',
  'L1.1.1,2026-Q2,,M. Jansen,1,2,,,,,,,',
  'L1.3.1,2026-Q2,Social insurance bureau,R. Tanaka,,,,,,maybe,no,1,0',
];
const csv = (rows: string[]) =>
  join(inventoryDir({ 'scorecard-2026.csv': `${[HEADER, ...rows].join('\n')}\n` }), 'scorecard-2026.csv');
const entriesIn = (dataDir: string) => {
  const store = ScorecardStore.open(dataDir);
  const ids = store.history().map((e) => `${e.indicator}@${e.period}=${e.value}`);
  store.close();
  return ids;
};

describe('citygauge scorecard import', () => {
  it('imports every row, reading yes/no/1/0 as booleans', async () => {
    const data = tempDir();
    const r = await runCli(['scorecard', 'import', csv(GOOD), '--data-dir', data]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported into .*scorecard\.sqlite: 2 entries/);
    expect(entriesIn(data)).toEqual(['L1.1.1@2026=75', 'L1.3.1@2026=50']);
  });

  it('reports each bad row as file:line: reason, applies the good ones and exits 1', async () => {
    const data = tempDir();
    const r = await runCli(['scorecard', 'import', csv([...GOOD, ...BAD]), '--data-dir', data]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').slice(0, 7)).toEqual([
      'scorecard-2026.csv:4: oneStopServices: is 600, more than governmentServices (520): it counts part of that total, so check both figures',
      'scorecard-2026.csv:5: socialMonitoringPoints: must be from 0 to 50 points, got 60',
      "scorecard-2026.csv:6: indicator: unknown indicator 'L9.9.9': not in the ISO/IEC 30146 catalogue nor a composite index (see GET /api/scorecard/indicators)",
      'scorecard-2026.csv:7: indicator: L2.1.1 is a live indicator: its value comes from the engine (devices and inventory), not from administrative inputs',
      'scorecard-2026.csv:8: period: must be a year or a quarter such as "2026" or "2026-Q3", got "26"',
      'scorecard-2026.csv:9: source: name where the figures come from, e.g. "City statistics office 2026 annual report"',
      'scorecard-2026.csv:10: webSites: must be true or false, got "maybe"',
    ]);
    expect(r.stdout).toMatch(/2 entries \(7 bad rows\)/);
    expect(entriesIn(data)).toEqual(['L1.1.1@2026=75', 'L1.3.1@2026=50']);
  });

  it('applies nothing with --strict when a row is bad', async () => {
    const data = tempDir();
    const r = await runCli(['scorecard', 'import', csv([...GOOD, BAD[0]]), '--data-dir', data, '--strict']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/nothing imported: --strict and 1 error/);
    expect(entriesIn(data)).toEqual([]);
  });

  it('refuses a second import of the same period unless --replace, which supersedes', async () => {
    const data = tempDir();
    await runCli(['scorecard', 'import', csv(GOOD), '--data-dir', data]);
    const again = await runCli(['scorecard', 'import', csv(GOOD.slice(0, 1)), '--data-dir', data]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^scorecard-2026\.csv:2: L1\.1\.1 already has a value for 2026 entered by M\. Jansen at \S+Z; use --replace to supersede it$/m,
    );
    const replaced = await runCli([
      'scorecard',
      'import',
      csv(GOOD.slice(0, 1)),
      '--data-dir',
      data,
      '--replace',
    ]);
    expect(replaced.code).toBe(0);
    expect(entriesIn(data)).toEqual(['L1.1.1@2026=75', 'L1.3.1@2026=50', 'L1.1.1@2026=75']);
  });

  it("takes the city's own indicators with --indicators FILE, which the store then remembers", async () => {
    const data = tempDir();
    const own = fileURLToPath(
      new URL('../../examples/sample-city/scorecard-indicators.json', import.meta.url),
    );
    const rows = [
      'indicator,period,source,entered_by,systemsWithTestedBackup,criticalSystems',
      'L6.2.1,2026,Chief information security office,A. Okafor,38,46',
    ];
    const file = join(inventoryDir({ 'scorecard-l6.csv': `${rows.join('\n')}\n` }), 'scorecard-l6.csv');
    const without = await runCli(['scorecard', 'import', file, '--data-dir', data]);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain("scorecard-l6.csv:2: indicator: unknown indicator 'L6.2.1'");
    const r = await runCli(['scorecard', 'import', file, '--data-dir', data, '--indicators', own]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(entriesIn(data)).toEqual([`L6.2.1@2026=${(38 / 46) * 100}`]);
    const store = ScorecardStore.open(data);
    expect(store.userIndicators().map((d) => d.id)).toEqual(['L6.2.1', 'L6.2.2']);
    store.close();
  });

  it('writes nothing on --dry-run, not even the database file', async () => {
    const data = join(tempDir(), 'data');
    const r = await runCli(['scorecard', 'import', csv([...GOOD, BAD[0]]), '--data-dir', data, '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/dry run, nothing written: would import 2 entries \(1 bad row\)/);
    expect(existsSync(join(data, 'scorecard.sqlite'))).toBe(false);
  });
});
