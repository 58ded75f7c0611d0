import { describe, expect, it } from 'vitest';
import {
  CITIZEN_EMPOWERMENT_INDEX,
  type CompositeIndex,
  computeComposite,
  parseCompositeIndex,
} from '../../../indicators/iso/composite.js';

describe('composite indices', () => {
  it('ship the Citizen Empowerment Index: three equal parts, above 75, quarterly', () => {
    expect(CITIZEN_EMPOWERMENT_INDEX.parts.map((p) => [p.ref, p.weight])).toEqual([
      ['participation', 1],
      ['feedback', 1],
      ['access', 1],
    ]);
    expect(CITIZEN_EMPOWERMENT_INDEX).toMatchObject({ target: { above: 75 }, period: 'quarterly' });
  });

  it('mean the parts present and say which part is missing', () => {
    // (60 + 90) / 2 = 75; 2 of 3 equal weights → coverage 2/3; 75 is not above 75
    const result = computeComposite(CITIZEN_EMPOWERMENT_INDEX, { participation: 60, feedback: 90 });
    expect(result).toMatchObject({
      ok: true,
      value: { id: 'citizen-empowerment', value: 75, missing: ['access'], meetsTarget: false },
    });
    expect(result.ok && result.value.coverage).toBeCloseTo(2 / 3, 12);
  });

  it('meet an "above" target only past it and an "atLeast" target at it', () => {
    // (60 + 90 + 78) / 3 = 76 > 75
    expect(
      computeComposite(CITIZEN_EMPOWERMENT_INDEX, { participation: 60, feedback: 90, access: 78 }),
    ).toMatchObject({
      value: { value: 76, coverage: 1, missing: [], meetsTarget: true },
    });
    const atLeast: CompositeIndex = { ...CITIZEN_EMPOWERMENT_INDEX, target: { atLeast: 75 } };
    expect(computeComposite(atLeast, { participation: 60, feedback: 90 })).toMatchObject({
      value: { value: 75, meetsTarget: true },
    });
  });

  it('read indicator ids from a Map with their weights, and have no value when no part has one', () => {
    const parsed = parseCompositeIndex({
      id: 'digital-services',
      name: 'Digital services',
      parts: [
        { ref: 'L1.1.1', weight: 2 },
        { ref: 'L1.7.2', weight: 1 },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const scores = new Map<string, number | null>([
      ['L1.1.1', 60],
      ['L1.7.2', 90],
    ]);
    // (2·60 + 1·90) / 3 = 70; no target → meetsTarget null
    expect(computeComposite(parsed.value, scores)).toMatchObject({ value: { value: 70, meetsTarget: null } });
    expect(computeComposite(parsed.value, new Map([['L1.1.1', null]]))).toMatchObject({
      value: { value: null, coverage: 0, missing: ['L1.1.1', 'L1.7.2'], meetsTarget: null },
    });
  });

  it('refuse duplicate parts, all-zero weights and values outside 0..100', () => {
    expect(
      parseCompositeIndex({
        id: 'x',
        name: 'X',
        parts: [
          { ref: 'a', weight: 0 },
          { ref: 'a', weight: 0 },
        ],
      }),
    ).toEqual({
      ok: false,
      errors: [
        { input: 'parts.1.ref', message: "'a' appears twice: list each part once" },
        { input: 'parts', message: 'give at least one part a weight above 0' },
      ],
    });
    expect(computeComposite(CITIZEN_EMPOWERMENT_INDEX, { participation: 101 })).toEqual({
      ok: false,
      errors: [
        { input: 'participation', message: 'must be a score from 0 to 100, or null when unknown; got 101' },
      ],
    });
  });
});
