// The scorecard store as an administrator uses it: entries are checked by the measurement method, history
// is kept, and a second value for the same period needs replace.
import { describe, expect, it } from 'vitest';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { tempDir } from '../support/tmp.js';

let clock = Date.parse('2026-03-01T09:00:00Z');
const open = () => ScorecardStore.open(tempDir(), { now: () => (clock += 60_000) });
const oneStop = (n: number, by = 'M. Jansen') => ({
  indicator: 'L1.1.1',
  period: '2026',
  inputs: { oneStopServices: n, governmentServices: 520 },
  source: 'City statistics office 2026 annual report',
  by,
});

describe('administrative inputs store', () => {
  it('computes the value with the measurement method and keeps who entered it, from where', () => {
    const store = open();
    const r = store.enter(oneStop(390));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.entry).toMatchObject({
      indicator: 'L1.1.1',
      period: '2026',
      value: 75,
      source: 'City statistics office 2026 annual report',
      enteredBy: 'M. Jansen',
      supersededBy: null,
    });
    expect(store.current('2026').get('L1.1.1')?.value).toBe(75);
  });

  it('refuses a second value for the same period without replace, naming who entered the first', () => {
    const store = open();
    const first = store.enter(oneStop(390));
    const again = store.enter(oneStop(400, 'A. Okafor'));
    expect(again).toMatchObject({ ok: false, status: 409 });
    if (again.ok || again.status !== 409 || !first.ok) return;
    expect(again.message).toBe(
      `L1.1.1 already has a value for 2026 entered by M. Jansen at ${first.entry.enteredAt}; send replace: true to supersede it`,
    );
    expect(store.history({ indicator: 'L1.1.1' })).toHaveLength(1);
  });

  it('supersedes with replace: true and keeps the old entry in the history', () => {
    const store = open();
    store.enter(oneStop(390));
    const r = store.enter({ ...oneStop(416, 'A. Okafor'), replace: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const history = store.history({ indicator: 'L1.1.1', period: '2026' });
    expect(history.map((e) => [e.value, e.enteredBy, e.supersededBy])).toEqual([
      [75, 'M. Jansen', r.entry.entryId],
      [80, 'A. Okafor', null],
    ]);
    expect(history[0].supersededAt).toBe(r.entry.enteredAt);
    expect(store.current('2026').get('L1.1.1')?.value).toBe(80);
  });

  it('lets a year stand on its latest quarter when no annual value was entered', () => {
    const store = open();
    for (const [q, n] of [
      [1, 300],
      [3, 416],
    ] as const)
      store.enter({ ...oneStop(n), period: `2026-Q${q}` });
    expect(store.current('2026').get('L1.1.1')).toMatchObject({ period: '2026-Q3', value: 80 });
    expect(store.current('2026-Q2').has('L1.1.1')).toBe(false);
  });

  it.each([
    [
      'a numerator above its denominator',
      oneStop(600),
      'inputs.oneStopServices',
      'is 600, more than governmentServices (520): it counts part of that total, so check both figures',
    ],
    [
      'points outside the scheme',
      {
        ...oneStop(0),
        indicator: 'L5.2.2',
        inputs: { socialMonitoringPoints: 60, recommendationServicePoints: 15, openDataActivityPoints: 10 },
      },
      'inputs.socialMonitoringPoints',
      'must be from 0 to 50 points, got 60',
    ],
    [
      'an unknown indicator',
      { ...oneStop(1), indicator: 'L9.9.9' },
      'indicator',
      "unknown indicator 'L9.9.9': not in the ISO/IEC 30146 catalogue nor a composite index (see GET /api/scorecard/indicators)",
    ],
    [
      'a live indicator',
      { ...oneStop(1), indicator: 'L2.1.1', inputs: { monitoredPipeLengthM: 1, pipeLengthM: 2 } },
      'indicator',
      'L2.1.1 is a live indicator: its value comes from the engine (devices and inventory), not from administrative inputs',
    ],
    [
      'a bad period',
      { ...oneStop(1), period: '2026-Q5' },
      'period',
      'must be a year or a quarter such as "2026" or "2026-Q3", got "2026-Q5"',
    ],
    [
      'no source',
      { ...oneStop(1), source: ' ' },
      'source',
      'name where the figures come from, e.g. "City statistics office 2026 annual report"',
    ],
  ])('refuses %s with a message that says what to fix', (_what, request, input, message) => {
    const store = open();
    expect(store.enter(request)).toEqual({ ok: false, status: 400, errors: [{ input, message }] });
    expect(store.isEmpty()).toBe(true);
  });

  it('takes a composite index’s own parts and refuses a part out of range', () => {
    const store = open();
    const base = { indicator: 'citizen-empowerment', period: '2026-Q4', source: 'Survey', by: 'M. Jansen' };
    const bad = store.enter({ ...base, inputs: { participation: 66, feedback: 171, access: 77 } });
    expect(bad).toEqual({
      ok: false,
      status: 400,
      errors: [{ input: 'inputs.feedback', message: 'must be a score from 0 to 100, got 171' }],
    });
    const good = store.enter({ ...base, inputs: { participation: 66, feedback: 71, access: 77 } });
    expect(good.ok && good.entry.value).toBeCloseTo(71.333, 3);
  });

  it('stores weights, maturity bands, self-assessments and composite definitions, checked', () => {
    const store = open();
    expect(store.setWeights({ L1: 2, 'L9.9': 1 })).toEqual({
      ok: false,
      errors: [
        {
          input: 'weights.L9.9',
          message: 'names no indicator or group in the catalogue: check the id (e.g. "L1.1" or "L1.1.1")',
        },
      ],
    });
    expect(store.setWeights({ L1: 2 }).ok).toBe(true);
    expect(store.weights()).toEqual({ L1: 2 });
    expect(store.setMaturityBands([20, 40, 35, 80]).ok).toBe(false);
    expect(store.setMaturityBands([15, 35, 55, 75]).ok).toBe(true);
    expect(store.maturityBands()).toEqual([15, 35, 55, 75]);
    const assessment = {
      component: 'digital-asset-management',
      level: 4,
      by: 'J. Ferreira',
      at: '2026-11-02T10:00:00Z',
      evidence: ['L5.1.1'],
    };
    expect(store.addSelfAssessment(assessment).ok).toBe(true);
    expect(store.addSelfAssessment({ ...assessment, level: 3 }).ok).toBe(true);
    expect(store.selfAssessments()).toMatchObject([{ component: 'digital-asset-management', level: 3 }]);
    expect(store.composites().map((c) => c.id)).toEqual(['citizen-empowerment']);
    expect(
      store.setComposite('green-mobility', { name: 'Green mobility', parts: [{ ref: 'L1.2.3', weight: 1 }] })
        .ok,
    ).toBe(true);
    expect(store.composites().map((c) => c.id)).toEqual(['citizen-empowerment', 'green-mobility']);
  });
});
