// `citygauge report` shows the error budgets of city.json's objectives over the period, from the data dir's
// history store (the arithmetic is test/scorecard/period-budgets.test.ts; this is the wiring).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IndicatorPoint } from '../../engine/sinks/points.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { runCli } from '../support/cli.js';
import { inventoryDir, tempDir } from '../support/tmp.js';

describe('citygauge report with objectives', () => {
  it('writes each objective’s budget left for the period into the HTML and says it on stdout', async () => {
    const now = Date.now();
    const d = new Date(now);
    const quarter = `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    const data = join(tempDir(), 'data');
    const history = new SqliteHistory(data);
    const points: IndicatorPoint[] = [];
    // the last two hours a minute apart (within the quarter), three minutes of them at 0 %
    const from = Math.max(
      now - 2 * 3_600_000,
      Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3),
    );
    for (let t = from, i = 0; t < now - 60_000; t += 60_000, i++)
      points.push({
        kind: 'indicator',
        id: 'availability.cctv',
        scope: 'city',
        ts: t,
        value: i >= 10 && i < 13 ? 0 : 100,
        numerator: null,
        denominator: null,
        means: {},
      });
    history.write(points);
    await history.close();
    const inventory = inventoryDir({
      'city.json': JSON.stringify({
        name: 'Budget Town',
        timeZone: 'UTC',
        objectives: [{ indicator: 'availability.cctv', target: 99, window: '30d' }],
      }),
    });
    const out = join(tempDir(), 'report.html');
    const r = await runCli([
      'report',
      '--period',
      quarter,
      '--data-dir',
      data,
      '--inventory',
      inventory,
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `error budget availability\\.cctv@city 99 %: -?[\\d dhmin]+ of [\\d dhmin]+ left, history behind \\d+\\.\\d % of ${quarter}`,
      ),
    );
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<section id="error-budgets">[\s\S]*<tr data-objective="availability\.cctv@city">/);
  });
});
