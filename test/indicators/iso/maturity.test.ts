import { describe, expect, it } from 'vitest';
import {
  compareWithEvidence,
  type MaturityBands,
  maturityLevel,
  PAS181_COMPONENTS,
  parseMaturityBands,
  parseSelfAssessment,
  type SelfAssessment,
} from '../../../indicators/iso/maturity.js';

describe('maturity levels from scores', () => {
  it.each([
    [0, 'lagging'],
    [19.999, 'lagging'],
    [20, 'developing'],
    [39.999, 'developing'],
    [40, 'competent'],
    [59.999, 'competent'],
    [60, 'progressive'],
    [79.999, 'progressive'],
    [80, 'excelling'],
    [100, 'excelling'],
  ])('puts %s in %s with the default bands (an edge belongs to the higher level)', (score, name) => {
    expect(maturityLevel(score)?.name).toBe(name);
  });

  it('has no level without a score', () => {
    expect(maturityLevel(null)).toBeNull();
  });

  it('uses configured bands', () => {
    const bands: MaturityBands = [10, 30, 50, 70];
    expect(maturityLevel(9.99, bands)).toEqual({ level: 1, name: 'lagging' });
    expect(maturityLevel(10, bands)).toEqual({ level: 2, name: 'developing' });
    expect(maturityLevel(70, bands)).toEqual({ level: 5, name: 'excelling' });
  });

  it('refuses bands that do not rise, are not four, or leave 0..100', () => {
    expect(parseMaturityBands([20, 20, 60, 80])).toEqual({
      ok: false,
      errors: [{ input: 'bands.1', message: 'cut points must rise: 20 does not come after 20' }],
    });
    expect(parseMaturityBands([20, 40, 60])).toEqual({
      ok: false,
      errors: [{ input: 'bands', message: 'Too small: expected array to have >=4 items' }],
    });
    expect(parseMaturityBands([20, 40, 60, 120])).toEqual({
      ok: false,
      errors: [{ input: 'bands.3', message: 'Too big: expected number to be <=100' }],
    });
    expect(() => maturityLevel(50, [50, 40, 60, 80])).toThrow(
      'invalid maturity bands: bands.1: cut points must rise: 40 does not come after 50',
    );
    expect(() => maturityLevel(101)).toThrow('maturity needs a score from 0 to 100, got 101');
  });
});

describe('self-assessment', () => {
  const assessment = {
    component: 'digital-asset-management',
    level: 3,
    by: 'A. Planner',
    at: '2026-11-23T10:00:00Z',
    evidence: ['L2.1.1', 'L3.1.1', 'L1.1.1'],
  };

  it('accepts a level a person chose for a named component, citing catalogue indicators', () => {
    expect(parseSelfAssessment(assessment)).toEqual({ ok: true, value: assessment });
    expect(PAS181_COMPONENTS.map((c) => c.id)).toEqual([
      'leadership-environment',
      'customer-stakeholder-focus',
      'service-enablement',
      'service-delivery',
      'digital-asset-management',
      'physical-asset-management',
    ]);
  });

  it('refuses a level outside 1..5, a missing assessor and a date without a zone', () => {
    expect(parseSelfAssessment({ ...assessment, level: 6, by: '', at: '2026-11-23 10:00' })).toEqual({
      ok: false,
      errors: [
        { input: 'level', message: 'a level from 1 (lagging) to 5 (excelling)' },
        { input: 'by', message: 'name the person who assessed' },
        { input: 'at', message: 'an RFC 3339 date and time, e.g. "2026-11-23T10:00:00Z"' },
      ],
    });
  });

  it('refuses evidence that is not in the catalogue and components it does not know', () => {
    expect(
      parseSelfAssessment({ ...assessment, component: 'data-governance', evidence: ['L9.9.9'] }),
    ).toEqual({
      ok: false,
      errors: [
        {
          input: 'component',
          message:
            "unknown component 'data-governance': use one of leadership-environment, customer-stakeholder-focus, " +
            'service-enablement, service-delivery, digital-asset-management, physical-asset-management, or add it',
        },
        {
          input: 'evidence.0',
          message: "'L9.9.9' is not an indicator in the catalogue: cite an existing id",
        },
      ],
    });
  });

  it('accepts a seventh component the city adds, and evidence from its own indicators', () => {
    const components = [
      ...PAS181_COMPONENTS,
      { id: 'data-governance', name: 'Data governance', pasReferences: [] },
    ];
    const parsed = parseSelfAssessment(
      { ...assessment, component: 'data-governance', evidence: ['L6.2.1'] },
      { components, catalogue: [{ id: 'L6.2.1' }] },
    );
    expect(parsed).toMatchObject({ ok: true, value: { component: 'data-governance', evidence: ['L6.2.1'] } });
  });

  it('compares the chosen level with the level its cited indicators imply', () => {
    const parsed = parseSelfAssessment(assessment) as { ok: true; value: SelfAssessment };
    // L2.1.1 70 and L3.1.1 50 → mean 60 → progressive (4); chose 3 → 3 − 4 = −1
    const scores = new Map<string, number | null>([
      ['L2.1.1', 70],
      ['L3.1.1', 50],
      ['L1.1.1', null],
    ]);
    expect(compareWithEvidence(parsed.value, scores)).toEqual({
      ok: true,
      value: {
        component: 'digital-asset-management',
        selfAssessed: { level: 3, name: 'competent' },
        implied: { level: 4, name: 'progressive' },
        meanScore: 60,
        missing: ['L1.1.1'],
        difference: -1,
        verdict: 'self-lower',
      },
    });
    // With bands [10, 30, 65, 90] the same 60 is competent: the person agrees.
    expect(compareWithEvidence(parsed.value, scores, [10, 30, 65, 90])).toMatchObject({
      value: { implied: { level: 3 }, difference: 0, verdict: 'agrees' },
    });
    expect(compareWithEvidence(parsed.value, new Map())).toMatchObject({
      value: { implied: null, meanScore: null, difference: null, verdict: 'no-evidence' },
    });
  });
});
