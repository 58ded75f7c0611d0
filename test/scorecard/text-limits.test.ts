// The scorecard's texts a person sets are bounded like the registry's (issue 10 item 11): an entry's source
// and the person's name at most 200 characters, a self-assessment's note at most 1,024.
import { describe, expect, it } from 'vitest';
import { parseSelfAssessment } from '../../indicators/iso/maturity.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { tempDir } from '../support/tmp.js';

const entry = {
  indicator: 'L1.1.1',
  period: '2026',
  inputs: { oneStopServices: 390, governmentServices: 520 },
};

describe('scorecard text limits', () => {
  it('refuses an entry whose source or person is over 200 characters, and keeps nothing', () => {
    const store = ScorecardStore.open(tempDir());
    const r = store.enter({ ...entry, source: 's'.repeat(201), by: 'b'.repeat(900_000) });
    expect(r).toEqual({
      ok: false,
      status: 400,
      errors: [
        { input: 'source', message: 'at most 200 characters' },
        { input: 'by', message: 'at most 200 characters' },
      ],
    });
    expect(store.enter({ ...entry, source: 's'.repeat(200), by: 'M. Jansen' }).ok).toBe(true);
    store.close();
  });

  it('refuses a self-assessment note over 1,024 characters or a name over 200', () => {
    const a = { component: 'strategy', level: 3, by: 'M. Jansen', at: '2026-11-23T10:00:00Z' };
    const r = parseSelfAssessment({ ...a, note: 'n'.repeat(1025), by: 'b'.repeat(201) });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toContain('at most 1024 characters');
    expect(JSON.stringify(r)).toContain('at most 200 characters');
  });
});
