// `citygauge report --period 2026` on the sample city's administrative data, and on an empty data dir.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ISO30146_CATALOGUE } from '../../indicators/iso/index.js';
import { ISO_ROLLUP_TREE } from '../../indicators/iso/rollup.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));

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
    expect(r.stdout).toMatch(/imported 50 scorecard entries from .*scorecard-2026\.csv/);
    expect(r.stdout).toMatch(
      /wrote .*report-2026\.html and .*report-2026\.csv: Sample City 2026, overall \d+\.\d \(maturity \d \w+\), 46 of 52 indicators with a value/,
    );
    const html = readFileSync(out, 'utf8');
    expect(ISO30146_CATALOGUE).toHaveLength(52);
    for (const d of ISO30146_CATALOGUE) expect(html).toContain(`data-indicator="${d.id}"`);
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
    const rollUpNodes = [...ISO_ROLLUP_TREE.values()].filter((n) => n.level !== 'third').length;
    expect(csv).toHaveLength(1 + 52 + rollUpNodes);
    expect(csv[0]).toBe('kind,id,name,level,value,source,period,entered_by,coverage,missing');
    expect(csv).toContain(
      'indicator,L1.1.1,Percentage of one-stop government services,third,79.230769,Digital government office portal audit 2026,2026,A. Okafor,1,',
    );
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
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('no administrative inputs for 2026-Q3');
    expect(html).toContain('id="overall-score"');
    expect(existsSync(data)).toBe(false);
  });

  it('refuses a period that is not a year or a quarter', async () => {
    const r = await runCli(['report', '--period', '2026-07', '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--period must be a year or a quarter such as "2026" or "2026-Q3", got "2026-07"',
    );
  });
});
