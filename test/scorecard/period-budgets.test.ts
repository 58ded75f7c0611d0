// The report's error budgets (issue 14 item 5): each objective's budget over the period from the history
// store, what is left of it as a share and as time, and the share of the period the history covers.
import { describe, expect, it } from 'vitest';
import type { IndicatorPoint } from '../../engine/sinks/points.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import type { Objective } from '../../indicators/error-budget.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { isPeriod, parsePeriod } from '../../scorecard/period.js';
import { periodBudgets } from '../../scorecard/period-budgets.js';
import { renderReportHtml } from '../../scorecard/report-html.js';
import { scorecardFromStore } from '../../scorecard/scorecard.js';
import { indicatorPoint } from '../support/points.js';
import { tempDir } from '../support/tmp.js';

const MIN = 60_000;
const cams: Objective = { indicator: 'availability.cctv', scope: 'city', target: 99, window: '30d' };
const point = (ts: number, value: number) => indicatorPoint(cams.indicator, ts, value);

describe('error budgets of a report period', () => {
  it('counts two days of history in 2026-Q1: 3 minutes dark leave 89.6 % of the budget, coverage 2.2 %', async () => {
    const period = parsePeriod('2026-Q1', 'UTC');
    if (!isPeriod(period)) throw new Error(period.message);
    const start = Date.parse('2026-02-10T00:00:00Z');
    const history = new SqliteHistory(tempDir(), { now: () => start + 3 * 86_400_000 });
    const points: IndicatorPoint[] = [];
    // a point every minute for two days; minutes 600–602 at 0 %
    for (let m = 0; m < 2 * 1440; m++) points.push(point(start + m * MIN, m >= 600 && m < 603 ? 0 : 100));
    history.write(points);
    await history.flush();

    const [b] = await periodBudgets(history, [cams], period, start + 3 * 86_400_000);
    const quarterMs = period.toMs - period.fromMs; // 90 days
    const bad = 3 / 2880;
    expect(b.budgetMs).toBeCloseTo(0.01 * quarterMs, 3);
    expect(b.coverage).toBeCloseTo((2880 * MIN) / quarterMs, 9);
    expect(b.budgetLeft).toBeCloseTo(1 - bad / 0.01, 9);
    // 0.01 × 90 d = 21 h 36 min; 89.58 % of it is 19 h 21 min
    expect(b.text).toBe('19 h 21 min of 21 h 36 min left');
    await history.close();

    const card = scorecardFromStore(ScorecardStore.inMemory(), period.id, new Map(), 'no live data');
    const html = renderReportHtml(card, {
      city: 'Lyon',
      generatedAt: start,
      timeZone: 'UTC',
      period,
      budgets: [b],
    });
    expect(html).toContain('<section id="error-budgets">');
    expect(html).toMatch(
      /<tr data-objective="availability\.cctv@city"><td>availability\.cctv<\/td><td>city<\/td><td class="num">99 %<\/td><td class="num">89\.6 %<\/td><td>19 h 21 min of 21 h 36 min left<\/td><td class="num">2\.2 %<\/td><\/tr>/,
    );
    // No objectives: no section.
    expect(
      renderReportHtml(card, { city: 'Lyon', generatedAt: start, timeZone: 'UTC', period }),
    ).not.toContain('error-budgets');
  });
});
