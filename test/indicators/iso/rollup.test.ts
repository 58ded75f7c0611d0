import { describe, expect, it } from 'vitest';
import { ISO30146_CATALOGUE, parseIsoIndicators } from '../../../indicators/iso/iso30146.js';
import {
  buildRollUpTree,
  ISO_ROLLUP_TREE,
  parseRollUpWeights,
  type RollUp,
  type RollUpWeights,
  rollUp,
} from '../../../indicators/iso/rollup.js';

const rolled = (
  scores: Map<string, number | null>,
  weights?: RollUpWeights,
  tree = ISO_ROLLUP_TREE,
): RollUp => {
  const result = rollUp(scores, weights, tree);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
};

describe('roll-up of the standard catalogue', () => {
  const scores = new Map<string, number | null>([
    ['L1.1.1', 50],
    ['L1.1.2', 70],
    ['L1.1.3', null],
    ['L2.1.1', 90],
    // Live parts and device availability are not third-level indicators and are not read.
    ['L2.2.1.b1', 0],
    ['availability.cctv', 0],
  ]);

  it('means the second-level parts that have values and lists the rest as missing', () => {
    const group = rolled(scores).nodes.get('L1.1')!;
    // (50 + 70) / 2 = 60; 2 of 4 equal weights present → coverage 0.5
    expect(group).toMatchObject({ level: 'second', name: 'E-government service', value: 60, coverage: 0.5 });
    expect(group.missing).toEqual(['L1.1.3', 'L1.1.4']);
  });

  it('gives null and coverage 0 to a group without any value', () => {
    expect(rolled(scores).nodes.get('L1.2')).toMatchObject({
      value: null,
      coverage: 0,
      missing: ['L1.2.1', 'L1.2.2', 'L1.2.3'],
    });
  });

  it('carries coverage and missing ids up transitively', () => {
    const { nodes, overall } = rolled(scores);
    const citizen = nodes.get('L1')!;
    // Only L1.1 (60) has a value among the 9 groups of L1; coverage (0.5 + 8 × 0) / 9
    expect(citizen.value).toBe(60);
    expect(citizen.coverage).toBeCloseTo(0.5 / 9, 12);
    expect(citizen.missing).toHaveLength(26 - 2);
    expect(citizen.missing.slice(0, 3)).toEqual(['L1.1.3', 'L1.1.4', 'L1.2.1']);
    // L2: L2.1 (90) of L2.1 and L2.2 → 90; coverage (1/2 + 0) / 2 = 0.25
    expect(nodes.get('L2')).toMatchObject({ value: 90, coverage: 0.25 });
    // Overall: L1 60 and L2 90 equally → 75, over the 6 first-level groups
    expect(overall.value).toBe(75);
    expect(overall.coverage).toBeCloseTo((0.5 / 9 + 0.25) / 6, 12);
    expect(overall.missing).toHaveLength(52 - 3);
  });

  it('weighs parts and groups as configured', () => {
    const { nodes, overall } = rolled(scores, { 'L1.1.1': 3, L2: 2 });
    // L1.1: (3·50 + 1·70) / 4 = 55; coverage (3 + 1) / (3 + 1 + 1 + 1) = 2/3
    expect(nodes.get('L1.1')!.value).toBe(55);
    expect(nodes.get('L1.1')!.coverage).toBeCloseTo(2 / 3, 12);
    // Overall: (1·55 + 2·90) / 3 = 78.333…
    expect(overall.value).toBeCloseTo(235 / 3, 12);
  });

  it('leaves a zero-weight part out of the value but still reports it missing', () => {
    const group = rolled(new Map([['L1.1.1', 40]]), { 'L1.1.1': 0 }).nodes.get('L1.1')!;
    expect(group).toMatchObject({ value: null, coverage: 0, missing: ['L1.1.2', 'L1.1.3', 'L1.1.4'] });
  });

  it('refuses negative weights, weights for unknown ids, and scores outside 0..100', () => {
    expect(rollUp(scores, { L1: -1, 'L1.10': 1 })).toEqual({
      ok: false,
      errors: [{ input: 'weights.L1', message: 'Too small: expected number to be >=0' }],
    });
    expect(rollUp(scores, { 'L1.10': 1 })).toEqual({
      ok: false,
      errors: [
        {
          input: 'weights.L1.10',
          message: 'names no indicator or group in the catalogue: check the id (e.g. "L1.1" or "L1.1.1")',
        },
      ],
    });
    expect(rollUp({ 'L1.1.1': 120 })).toEqual({
      ok: false,
      errors: [{ input: 'L1.1.1', message: 'must be a score from 0 to 100, or null when unknown; got 120' }],
    });
  });

  it('parses weights from a request body', () => {
    expect(parseRollUpWeights({ L4: 0.5 })).toEqual({ ok: true, value: { L4: 0.5 } });
    expect(parseRollUpWeights({ L4: 'heavy' })).toEqual({
      ok: false,
      errors: [{ input: 'weights.L4', message: 'Invalid input: expected number, received string' }],
    });
  });
});

describe('roll-up tree', () => {
  it('leaves out groups with no indicators until a city adds some', () => {
    expect(ISO_ROLLUP_TREE.get('L6')!.parts).toEqual(['L6.1']);
    expect(ISO_ROLLUP_TREE.has('L6.2')).toBe(false);
    const own = parseIsoIndicators([
      {
        id: 'L6.2.1',
        name: 'Patched critical systems',
        description: '(critical systems patched within 30 days / critical systems) × 100',
        section: '7.6.2',
        secondLevel: 'L6.2',
        source: 'administrative',
        method: {
          method: 'ratio',
          numerator: { name: 'patchedSystems', description: 'critical systems patched within 30 days' },
          denominator: { name: 'criticalSystems', description: 'critical systems' },
        },
      },
    ]);
    if (!own.ok) throw new Error(JSON.stringify(own.errors));
    const tree = buildRollUpTree([...ISO30146_CATALOGUE, ...own.value]);
    expect(tree.get('L6')!.parts).toEqual(['L6.1', 'L6.2']);
    // L6.1.1 = 30 and L6.2.1 = 80 → L6 = (30 + 80) / 2 = 55
    const { nodes } = rolled(
      new Map([
        ['L6.1.1', 30],
        ['L6.2.1', 80],
      ]),
      {},
      tree,
    );
    expect(nodes.get('L6')).toMatchObject({ value: 55, coverage: 1, missing: [] });
  });

  it('rolls up a smaller catalogue with only the groups it uses', () => {
    const small = ISO30146_CATALOGUE.filter((d) => ['L1.1.1', 'L1.1.2', 'L2.1.1'].includes(d.id));
    const tree = buildRollUpTree(small);
    expect(tree.get('overall')!.parts).toEqual(['L1', 'L2']);
    const { overall } = rolled(new Map([['L1.1.1', 40]]), {}, tree);
    // L1.1 = 40 at coverage 0.5, L2 null at 0 → overall 40, coverage (0.5 + 0) / 2 = 0.25
    expect(overall).toMatchObject({ value: 40, coverage: 0.25, missing: ['L1.1.2', 'L2.1.1'] });
  });
});
