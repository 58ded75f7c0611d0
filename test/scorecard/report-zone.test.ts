// The report shows every time in the city's zone: when it was made, the period's bounds and when each PAS 181
// self-assessment was made; machine-readable `datetime` attributes keep the UTC instant.
import { describe, expect, it } from 'vitest';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { isPeriod, parsePeriod } from '../../scorecard/period.js';
import { renderReportHtml } from '../../scorecard/report-html.js';
import { scorecardFromStore } from '../../scorecard/scorecard.js';

describe('the report in the city zone', () => {
  it('prints the period, the time it was made and self-assessment times as the city reads them', () => {
    const store = ScorecardStore.inMemory();
    const added = store.addSelfAssessment({
      component: 'leadership-environment',
      level: 3,
      by: 'M. Jansen',
      at: '2026-03-08T10:30:00Z',
      evidence: [],
    });
    expect(added.ok).toBe(true);
    const period = parsePeriod('2026-Q1', 'Europe/Paris');
    if (!isPeriod(period)) throw new Error(period.message);
    const card = scorecardFromStore(store, period.id, new Map(), 'no live data');
    const html = renderReportHtml(card, {
      city: 'Lyon',
      generatedAt: Date.parse('2026-07-01T21:30:00Z'),
      timeZone: 'Europe/Paris',
      period,
    });
    expect(html).toContain('2026-Q1 runs from 2026-01-01 00:00 GMT+1 to 2026-04-01 00:00 GMT+2.');
    // 21:30Z is 23:30 on Paris summer time.
    expect(html).toContain(
      '<time id="generated-at" datetime="2026-07-01T21:30:00.000Z">2026-07-01 23:30 GMT+2</time>',
    );
    expect(html).toContain('times in Europe/Paris');
    expect(html).toContain('M. Jansen, <time datetime="2026-03-08T10:30:00Z">2026-03-08 11:30 GMT+1</time>');
  });
});
