// First start: the sample city's scorecard-*.csv fills an empty store, and only an empty one.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ISO30146_CATALOGUE } from '../../indicators/iso/index.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { seedScorecard } from '../../scorecard/seed.js';
import { tempDir } from '../support/tmp.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const quiet = { info() {}, warn() {} };

describe('seedScorecard', () => {
  it('imports a value for every administrative indicator of the sample city into an empty store', async () => {
    const store = ScorecardStore.open(tempDir());
    const r = await seedScorecard(store, SAMPLE, quiet);
    expect(r).toMatchObject({ accepted: 50, rejected: 0 });
    const current = store.current('2026');
    for (const d of ISO30146_CATALOGUE.filter((c) => c.source === 'administrative'))
      expect(current.get(d.id)?.value, d.id).toEqual(expect.any(Number));
    expect(current.get('citizen-empowerment')?.period).toBe('2026-Q4');
  });

  it('leaves a store that already has entries alone', async () => {
    const store = ScorecardStore.open(tempDir());
    store.enter({
      indicator: 'L1.1.1',
      period: '2026',
      inputs: { oneStopServices: 1, governmentServices: 2 },
      source: 'Statistics office',
      by: 'M. Jansen',
    });
    expect(await seedScorecard(store, SAMPLE, quiet)).toEqual({ files: [], accepted: 0, rejected: 0 });
  });
});
