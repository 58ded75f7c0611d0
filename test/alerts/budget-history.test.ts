// An error budget's 30-day window outlives a restart: at start it is read back from the embedded history
// store in one-minute buckets, a gap in the history is unknown time, and the live values go on from there.
import { describe, expect, it } from 'vitest';
import { primeBudgetsFromHistory } from '../../engine/alerts/budget-history.js';
import { BudgetTracker } from '../../engine/alerts/budget-tracker.js';
import type { IndicatorPoint } from '../../engine/sinks/points.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import type { Objective } from '../../indicators/error-budget.js';
import { indicatorPoint } from '../support/points.js';
import { tempDir } from '../support/tmp.js';

const MIN = 60_000;
const objective: Objective = { indicator: 'availability.cctv', scope: 'city', target: 99.5, window: '30d' };
const point = (ts: number, value: number | null) => indicatorPoint('availability.cctv', ts, value);

describe('error budgets primed from history', () => {
  it('reads the window back: 10 days ago an hour at 50 %, then a gap, then the live values', async () => {
    const now = Date.parse('2026-03-01T00:00:00Z');
    const start = now - 12 * 86_400_000;
    const history = new SqliteHistory(tempDir(), { now: () => now });
    // one point a minute for 2 days, 100 % but for the hour 10 days ago at 50 %; then nothing for 10 days
    const points: IndicatorPoint[] = [];
    for (let t = start; t < start + 2 * 86_400_000; t += MIN) {
      const bad = t >= now - 10 * 86_400_000 - 60 * MIN && t < now - 10 * 86_400_000;
      points.push(point(t, bad ? 50 : 100));
    }
    history.write(points);
    await history.flush();

    const tracker = new BudgetTracker([objective]);
    tracker.onValue('availability.cctv', 'city', 100, now - 5 * MIN); // the live engine, before the read ends
    const [primed] = await primeBudgetsFromHistory(tracker, history, now);
    expect(primed).toMatchObject({
      indicator: 'availability.cctv',
      scope: 'city',
      points: 2 * 1440,
      primed: true,
    });
    const [{ state }] = tracker.states(now);
    // known: 2 days of history and 5 live minutes; bad: an hour at half → 0.5 h over 48 h 5 min
    const known = 2 * 1440 + 5;
    expect(state.coverage).toBeCloseTo(known / (30 * 1440), 9);
    expect(state.budgetLeft).toBeCloseTo(1 - 30 / known / 0.005, 9);
    // A second read is refused: the live series has gone on.
    expect(tracker.prime('availability.cctv', 'city', [])).toBe(false);
    await history.close();
  });
});
