// First start: the sample city's scorecard-*.csv fills an empty store, and only an empty one; its own indicators
// load every time, its self-assessments while the store has none.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { seedScorecard } from '../../scorecard/seed.js';
import { tempDir } from '../support/tmp.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const quiet = { info() {}, warn() {} };

describe('seedScorecard', () => {
  it('imports a value for every administrative indicator of the sample city into an empty store', async () => {
    const store = ScorecardStore.open(tempDir());
    const r = await seedScorecard(store, SAMPLE, quiet);
    expect(r).toMatchObject({
      accepted: 52,
      rejected: 0,
      indicators: ['L6.2.1', 'L6.2.2'],
      selfAssessments: 6,
    });
    const current = store.current('2026');
    const admin = store.catalogue.filter((c) => c.source === 'administrative');
    expect(admin).toHaveLength(48);
    for (const d of admin) expect(current.get(d.id)?.value, d.id).toEqual(expect.any(Number));
    // 38 of 46 critical systems with a tested backup; 3 drills × 25 points.
    expect(current.get('L6.2.1')?.value).toBeCloseTo(82.6087, 4);
    expect(current.get('L6.2.2')?.value).toBe(75);
    expect(current.get('citizen-empowerment')?.period).toBe('2026-Q4');
  });

  it('imports no CSV into a store that already has entries, but still loads the indicators', async () => {
    const store = ScorecardStore.open(tempDir());
    store.enter({
      indicator: 'L1.1.1',
      period: '2026',
      inputs: { oneStopServices: 1, governmentServices: 2 },
      source: 'Statistics office',
      by: 'M. Jansen',
    });
    store.addSelfAssessment({
      component: 'service-delivery',
      level: 2,
      by: 'L. Moreau',
      at: '2026-01-05T09:00:00Z',
    });
    expect(await seedScorecard(store, SAMPLE, quiet)).toEqual({
      files: [],
      accepted: 0,
      rejected: 0,
      indicators: ['L6.2.1', 'L6.2.2'],
      selfAssessments: 0,
    });
    expect(store.history()).toHaveLength(1);
    expect(store.selfAssessments()).toHaveLength(1);
    expect(store.isUserDefined('L6.2.1')).toBe(true);
  });
});
