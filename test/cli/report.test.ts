// `citygauge report --period 2026` on the sample city's administrative data, and on an empty data dir.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildRollUpTree, ISO30146_CATALOGUE, parseIsoIndicators } from '../../indicators/iso/index.js';
import { runCli } from '../support/cli.js';
import { inventoryDir, tempDir } from '../support/tmp.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const OWN = parseIsoIndicators(readFileSync(join(SAMPLE, 'scorecard-indicators.json'), 'utf8'));
if (!OWN.ok) throw new Error("the sample city's scorecard-indicators.json is refused");
const PAS181_VERDICTS = {
  'leadership-environment': 'rated lower than the evidence',
  'customer-stakeholder-focus': 'agrees with the evidence',
  'service-enablement': 'rated higher than the evidence',
  'service-delivery': 'agrees with the evidence',
  'digital-asset-management': 'agrees with the evidence',
  // Its evidence is live, and a fresh data dir has no history.
  'physical-asset-management': 'no evidence with a value',
};

describe('citygauge report', () => {
  it('writes an HTML scorecard with every indicator and the overall maturity, and a CSV beside it', async () => {
    const dir = tempDir();
    const out = join(dir, 'report-2026.html');
    const r = await runCli([
      'report',
      '--period',
      '2026',
      '--data-dir',
      join(dir, 'data'),
      '--inventory',
      SAMPLE,
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('read in UTC');
    expect(r.stdout).toContain('loaded 2 user-defined indicators from');
    expect(r.stdout).toMatch(/scorecard-indicators\.json: L6\.2\.1, L6\.2\.2/);
    expect(r.stdout).toMatch(/imported 52 scorecard entries from .*scorecard-2026\.csv/);
    expect(r.stdout).toMatch(/recorded 6 PAS 181 self-assessments from /);
    // 52 standard indicators and the sample city's own L6.2.1 and L6.2.2; the 6 live ones have no history.
    expect(r.stdout).toMatch(
      /wrote .*report-2026\.html and .*report-2026\.csv: Sample City 2026, overall \d+\.\d \(maturity \d \w+\), 48 of 54 indicators with a value/,
    );
    const html = readFileSync(out, 'utf8');
    expect(ISO30146_CATALOGUE).toHaveLength(52);
    for (const d of [...ISO30146_CATALOGUE, ...OWN.value]) expect(html).toContain(`data-indicator="${d.id}"`);
    expect(html).toMatch(
      /data-indicator="L6\.2\.1" data-user-defined><td>L6\.2\.1<\/td><td>Share of critical city systems with a tested backup <span class="note">\(user-defined\)<\/span><\/td><td class="num">82\.6<\/td>/,
    );
    expect(html).toContain(
      '<tr data-node="L6.2"><td>L6.2</td><td>System and data security</td><td class="num">78.8</td>',
    );
    for (const [component, verdict] of Object.entries(PAS181_VERDICTS))
      expect(html).toMatch(
        new RegExp(`<tr data-component="${component}">.*<td class="[a-z]*">${verdict}</td>`),
      );
    expect(html).toMatch(
      /id="overall-maturity" class="big">\d (lagging|developing|competent|progressive|excelling)</,
    );
    expect(html).toContain('Sample City — ISO/IEC 30146 scorecard 2026');
    expect(html).toContain('City statistics office 2026 annual report');
    expect(html).toContain('Citizen Empowerment Index');
    // Self-contained: no external URL, no script.
    expect(html).not.toMatch(/(src|href)="?https?:/);
    expect(html).not.toContain('<script');
    const csv = readFileSync(join(dir, 'report-2026.csv'), 'utf8').trim().split('\r\n');
    const tree = buildRollUpTree([...ISO30146_CATALOGUE, ...OWN.value]);
    const rollUpNodes = [...tree.values()].filter((n) => n.level !== 'third').length;
    expect(rollUpNodes).toBe(26); // the standard's 25, and L6.2 for the city's own indicators
    expect(csv).toHaveLength(1 + 54 + rollUpNodes);
    expect(csv[0]).toBe('kind,id,name,level,value,source,period,entered_by,coverage,missing');
    expect(csv).toContain(
      'indicator,L1.1.1,Percentage of one-stop government services,third,79.230769,Digital government office portal audit 2026,2026,A. Okafor,1,',
    );
    expect(csv).toContain(
      'indicator,L6.2.2,Security incident response drills per year,third,75,Chief information security office 2026,2026,A. Okafor,1,',
    );
  });

  it('refuses a bad user-defined indicator file, naming it, and writes no report', async () => {
    const dir = tempDir();
    const bad = inventoryDir({
      'scorecard-indicators.yaml': 'indicators:\n  - id: L1.1.1\n    name: [unclosed\n',
    });
    const out = ['--out', join(dir, 'r.html')];
    const r = await runCli([
      'report',
      '--period',
      '2026',
      '--data-dir',
      join(dir, 'data'),
      '--inventory',
      bad,
      ...out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^citygauge: scorecard-indicators\.yaml: not valid YAML: /);
    expect(r.stderr).not.toContain('    at ');
    const clash = join(dir, 'own.json');
    writeFileSync(
      clash,
      JSON.stringify([{ ...OWN.value[0], id: 'L1.1.1', secondLevel: 'L1.1', section: '7.1.1' }]),
    );
    const r2 = await runCli([
      'report',
      '--period',
      '2026',
      '--data-dir',
      join(dir, 'data'),
      '--indicators',
      clash,
      ...out,
    ]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toBe(
      "citygauge: own.json: 0.id: 'L1.1.1' is already defined: give it another number\n",
    );
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
  });

  it('says what is missing on an empty data dir, and leaves it empty', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const r = await runCli([
      'report',
      '--period',
      '2026-Q3',
      '--data-dir',
      data,
      '--out',
      join(dir, 'r.html'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/overall no score, 0 of 52 indicators with a value/);
    expect(r.stdout).toContain(
      '2026-Q3 read in UTC: city.json names no timeZone; add "timeZone": "Europe/Paris" (its IANA name)',
    );
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('no administrative inputs for 2026-Q3');
    expect(html).toContain('id="overall-score"');
    expect(existsSync(data)).toBe(false);
  });

  it("refuses an inventory whose city.json names an unknown time zone: the period's bounds depend on it", async () => {
    const dir = tempDir();
    const inv = inventoryDir({ 'city.json': '{"name":"Lyon","timeZone":"Europe/Lyon"}' });
    const r = await runCli([
      'report',
      '--period',
      '2026',
      '--data-dir',
      join(dir, 'data'),
      '--inventory',
      inv,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /city\.json:1: timeZone: unknown time zone "Europe\/Lyon": use an IANA name such as "Europe\/Paris"/,
    );
  });

  it('refuses a period that is not a year or a quarter', async () => {
    const r = await runCli(['report', '--period', '2026-07', '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--period must be a year or a quarter such as "2026" or "2026-Q3", got "2026-07"',
    );
  });
});
