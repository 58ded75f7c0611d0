import { describe, expect, it } from 'vitest';
import { ISO30146_CATALOGUE } from '../../../indicators/iso/iso30146.js';
import {
  computeScore,
  inputsOf,
  type MethodInput,
  MethodSchema,
  maxScore,
} from '../../../indicators/iso/methods.js';
import { zodProblems } from '../../../indicators/iso/problems.js';

const indicator = (id: string) => {
  const found = ISO30146_CATALOGUE.find((d) => d.id === id);
  if (!found) throw new Error(`no ${id} in the catalogue`);
  return found;
};
const scored = (id: string, inputs: Record<string, unknown>) => {
  const result = computeScore(indicator(id), inputs);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
};
const errorsOf = (id: string, inputs: Record<string, unknown>) => {
  const result = computeScore(indicator(id), inputs);
  return result.ok ? [] : result.errors;
};

describe('ratio', () => {
  it('divides the numerator by the denominator on the hundred-mark scale', () => {
    // L1.1.1: 12 one-stop services of 40 → 12 / 40 × 100 = 30
    expect(scored('L1.1.1', { oneStopServices: 12, governmentServices: 40 })).toEqual({
      ok: true,
      value: 30,
      parts: {},
      notes: [],
    });
  });

  it('gives null, not 0, for an empty denominator (docs/contract.md §4)', () => {
    const result = scored('L1.1.1', { oneStopServices: 0, governmentServices: 0 });
    expect(result.value).toBeNull();
    expect(result.notes).toEqual(['governmentServices is 0: the share is undefined']);
  });

  it('accepts lengths and areas that are not whole numbers', () => {
    // L2.1.1: 1234.5 m of 4938 m → 1234.5 / 4938 × 100 = 25
    expect(scored('L2.1.1', { monitoredPipeLengthM: 1234.5, pipeLengthM: 4938 }).value).toBe(25);
  });

  it('refuses a numerator above its denominator, naming both figures', () => {
    expect(errorsOf('L1.1.1', { oneStopServices: 12, governmentServices: 10 })).toEqual([
      {
        input: 'oneStopServices',
        message:
          'is 12, more than governmentServices (10): it counts part of that total, so check both figures',
      },
    ]);
  });

  it('refuses negative, non-finite and non-numeric figures', () => {
    expect(errorsOf('L1.1.1', { oneStopServices: -1, governmentServices: Number.POSITIVE_INFINITY })).toEqual(
      [
        {
          input: 'oneStopServices',
          message: 'must be 0 or more (a count or amount cannot be negative), got -1',
        },
        { input: 'governmentServices', message: 'must be a finite number, got Infinity' },
      ],
    );
    expect(errorsOf('L1.1.1', { oneStopServices: '12', governmentServices: Number.NaN })).toEqual([
      { input: 'oneStopServices', message: 'must be a number, got "12"' },
      { input: 'governmentServices', message: 'must be a finite number, got NaN' },
    ]);
  });

  it('says which inputs are missing, in the words of the standard', () => {
    expect(errorsOf('L1.1.1', {})).toEqual([
      { input: 'oneStopServices', message: 'missing: enter the number of one-stop government services' },
      { input: 'governmentServices', message: 'missing: enter the total number of government services' },
    ]);
  });

  it('refuses an unknown input name and still reports a numerator above its denominator', () => {
    expect(errorsOf('L1.1.1', { oneStopServices: 12, governmentServices: 10, oneStop: 3 })).toEqual([
      {
        input: 'oneStop',
        message: 'unknown input: this indicator takes oneStopServices, governmentServices',
      },
      {
        input: 'oneStopServices',
        message:
          'is 12, more than governmentServices (10): it counts part of that total, so check both figures',
      },
    ]);
  });
});

it('refuses inputs that are not an object of named figures', () => {
  expect(computeScore(indicator('L1.1.1'), null as unknown as Record<string, unknown>)).toEqual({
    ok: false,
    errors: [{ input: '(top)', message: 'expected an object of named inputs, got null' }],
  });
});

describe('points', () => {
  it('adds the points of each criterion met', () => {
    // L1.3.1: web sites and apps, 25 each → 25 + 25 = 50
    const inputs = { webSites: true, selfServiceMachines: false, mobileApps: true, hotlineAndSms: false };
    expect(scored('L1.3.1', inputs).value).toBe(50);
    // L1.7.3: 7 of the 10 fields, 10 each → 70
    const fields = inputsOf(indicator('L1.7.3').method).map((s, i) => [s.name, i < 7] as const);
    expect(scored('L1.7.3', Object.fromEntries(fields)).value).toBe(70);
  });

  it('refuses a criterion that is not true or false', () => {
    const inputs = { webSites: 'yes', selfServiceMachines: false, mobileApps: 1, hotlineAndSms: false };
    expect(errorsOf('L1.6.2', inputs)).toEqual([
      { input: 'webSites', message: 'must be true or false, got "yes"' },
      { input: 'mobileApps', message: 'must be true or false, got 1' },
    ]);
  });
});

describe('scheme', () => {
  it('adds the parts of L1.2.1', () => {
    // b1 60 + b2 0 + b3 20 = 80
    const result = scored('L1.2.1', {
      realTimeInformationOpen: true,
      informationOnPublicChannels: false,
      coversSecondTierMainRoads: true,
    });
    expect(result.value).toBe(80);
    expect(result.parts).toEqual({ b1: 60, b2: 0, b3: 20 });
  });

  it('scores L1.8.2 with two of the top-3 media portals as "one or more" (10)', () => {
    // b1 50 + b2 (61 % is over 60 %) 20 + b3 (2 of 3 portals) 10 = 80
    const result = scored('L1.8.2', {
      mainPortalsAccessible: true,
      accessiblePortalsPercent: 61,
      accessibleMediaPortals: 2,
    });
    expect(result).toMatchObject({ value: 80, parts: { b1: 50, b2: 20, b3: 10 } });
  });

  it.each([
    [90.5, 3, 30, 20],
    [90, 1, 20, 10],
    [60.1, 0, 20, 0],
    [60, 3, 10, 20],
    [30.1, 1, 10, 10],
    [30, 0, 0, 0],
  ])(
    'reads L1.8.2 b2 "over" strictly: %s %% and %s portals give b2 %s, b3 %s',
    (percent, portals, b2, b3) => {
      const result = scored('L1.8.2', {
        mainPortalsAccessible: false,
        accessiblePortalsPercent: percent,
        accessibleMediaPortals: portals,
      });
      expect(result.parts).toEqual({ b1: 0, b2, b3 });
      expect(result.value).toBe(b2 + b3);
    },
  );

  it('refuses a portal count outside 0..3 or not whole, and a percentage above 100', () => {
    expect(
      errorsOf('L1.8.2', {
        mainPortalsAccessible: true,
        accessiblePortalsPercent: 101,
        accessibleMediaPortals: 4,
      }),
    ).toEqual([
      { input: 'accessiblePortalsPercent', message: 'must be from 0 to 100, got 101' },
      { input: 'accessibleMediaPortals', message: 'must be from 0 to 3, got 4' },
    ]);
    expect(
      errorsOf('L1.8.2', {
        mainPortalsAccessible: true,
        accessiblePortalsPercent: 50,
        accessibleMediaPortals: 1.5,
      }),
    ).toEqual([{ input: 'accessibleMediaPortals', message: 'must be a whole number, got 1.5' }]);
  });

  it('adds points a person awards within each part of L5.2.2', () => {
    // 40 + 25.5 + 20 = 85.5
    const result = scored('L5.2.2', {
      socialMonitoringPoints: 40,
      recommendationServicePoints: 25.5,
      openDataActivityPoints: 20,
    });
    expect(result).toMatchObject({ value: 85.5, parts: { '1': 40, '2': 25.5, '3': 20 } });
  });

  it('refuses points outside a part of the scheme', () => {
    expect(
      errorsOf('L5.2.2', {
        socialMonitoringPoints: 55,
        recommendationServicePoints: -1,
        openDataActivityPoints: 20,
      }),
    ).toEqual([
      { input: 'socialMonitoringPoints', message: 'must be from 0 to 50 points, got 55' },
      { input: 'recommendationServicePoints', message: 'must be from 0 to 30 points, got -1' },
    ]);
  });

  it('takes the case that applies for L6.1.1 (100, 30 or 0)', () => {
    expect(scored('L6.1.1', { mechanism: 'official-one' }).value).toBe(30);
    expect(scored('L6.1.1', { mechanism: 'official-both' }).value).toBe(100);
    expect(errorsOf('L6.1.1', { mechanism: 'official' })).toEqual([
      {
        input: 'mechanism',
        message: 'must be one of "official-both", "official-one", "otherwise", got "official"',
      },
    ]);
  });
});

describe('capped-count', () => {
  it('gives 2 points per mobile municipal service up to 70 (L1.7.1)', () => {
    // 20 × 2 = 40
    expect(scored('L1.7.1', { mobileMunicipalServices: 20 }).value).toBe(40);
    // 35 × 2 = 70, exactly the cap
    expect(scored('L1.7.1', { mobileMunicipalServices: 35 })).toMatchObject({ value: 70, notes: [] });
    // 36 × 2 = 72 → capped at 70, as the standard says
    expect(scored('L1.7.1', { mobileMunicipalServices: 36 })).toMatchObject({
      value: 70,
      notes: ['36 × 2 = 72 points, capped at 70'],
    });
  });

  it('refuses a count that is not a whole number of 0 or more', () => {
    expect(errorsOf('L1.7.1', { mobileMunicipalServices: 2.5 })).toEqual([
      { input: 'mobileMunicipalServices', message: 'must be a whole number, got 2.5' },
    ]);
    expect(errorsOf('L1.7.1', { mobileMunicipalServices: -1 })).toEqual([
      {
        input: 'mobileMunicipalServices',
        message: 'must be 0 or more (a count or amount cannot be negative), got -1',
      },
    ]);
  });

  it('counts 10 points per field of L5.2.1 and refuses more fields than the 10 there are', () => {
    // 7 × 10 = 70
    expect(scored('L5.2.1', { fieldsWithTwoCases: 7 }).value).toBe(70);
    expect(errorsOf('L5.2.1', { fieldsWithTwoCases: 11 })).toEqual([
      { input: 'fieldsWithTwoCases', message: 'must be from 0 to 10, got 11' },
    ]);
  });
});

describe('weighted', () => {
  const cctv = {
    keyPublicAreasCovered: 8,
    keyPublicAreas: 10,
    hdCamerasInKeyPublicAreas: 30,
    camerasInKeyPublicAreas: 40,
    keyIndustryAreasCovered: 3,
    keyIndustryAreas: 4,
    availableCamerasInKeyPublicAreas: 36,
    availableCamerasInKeyIndustryAreas: 9,
    camerasInKeyIndustryAreas: 10,
  };

  it('weighs the five CCTV parts of L2.2.1', () => {
    // b1 80, b2 75, b3 75, b4 90, b5 90 →
    // 0.25·80 + 0.2·75 + 0.15·75 + 0.25·90 + 0.15·90 = 20 + 15 + 11.25 + 22.5 + 13.5 = 82.25
    const result = scored('L2.2.1', cctv);
    expect(result.parts).toEqual({ b1: 80, b2: 75, b3: 75, b4: 90, b5: 90 });
    expect(result.value).toBeCloseTo(82.25, 10);
  });

  it('is null when a part has an empty denominator, as the live L2.2.1 is', () => {
    const result = scored('L2.2.1', { ...cctv, keyIndustryAreasCovered: 0, keyIndustryAreas: 0 });
    expect(result.value).toBeNull();
    expect(result.parts.b3).toBeNull();
    expect(result.notes).toEqual(['no value for b3']);
  });

  it('checks a shared denominator against each numerator that uses it', () => {
    expect(errorsOf('L2.2.1', { ...cctv, hdCamerasInKeyPublicAreas: 41 })).toEqual([
      {
        input: 'hdCamerasInKeyPublicAreas',
        message:
          'is 41, more than camerasInKeyPublicAreas (40): it counts part of that total, so check both figures',
      },
    ]);
  });

  it('counts the sharing agreement of L2.2.2 as 100 or 0', () => {
    const shares = {
      sharedCamerasInKeyPublicAreas: 20,
      camerasInKeyPublicAreas: 40,
      sharedCamerasInKeyIndustryAreas: 5,
      camerasInKeyIndustryAreas: 10,
    };
    // 0.3·50 + 0.2·50 + 0.5·100 = 15 + 10 + 50 = 75
    expect(scored('L2.2.2', { ...shares, sharingAgreement: true }).value).toBeCloseTo(75, 10);
    // 15 + 10 + 0 = 25
    expect(scored('L2.2.2', { ...shares, sharingAgreement: false }).value).toBeCloseTo(25, 10);
  });

  it('gives L2.2.3 b2 = 100 only for more than 4 departments', () => {
    const cases = { casesAssistedByCctvPerYear: 30, casesInvestigatedPerYear: 120 };
    // b1 = 30 / 120 × 100 = 25; 0.5·25 + 0.5·100 = 62.5
    expect(scored('L2.2.3', { ...cases, departmentsUsingVideo: 5 })).toMatchObject({
      value: 62.5,
      parts: { b1: 25, b2: 100 },
    });
    // 4 is not more than 4: 0.5·25 + 0 = 12.5
    expect(scored('L2.2.3', { ...cases, departmentsUsingVideo: 4 }).value).toBe(12.5);
  });
});

describe('mean-of-ratios (L4.3.3)', () => {
  it('averages model coverage over feature types, leaving out types with no real-world features', () => {
    // buildings 90 / 100 → 90; trees 30 / 60 → 50; bridges 0 / 0 → left out; (90 + 50) / 2 = 70
    const result = scored('L4.3.3', {
      featureTypes: [
        { name: 'building', numerator: 90, denominator: 100 },
        { name: 'tree', numerator: 30, denominator: 60 },
        { name: 'bridge', numerator: 0, denominator: 0 },
      ],
    });
    expect(result).toMatchObject({ value: 70, parts: { building: 90, tree: 50, bridge: null } });
  });

  it('is null for an empty list and refuses an item with more modelled than real features', () => {
    expect(scored('L4.3.3', { featureTypes: [] })).toMatchObject({
      value: null,
      notes: ['no item in featureTypes has a denominator above 0'],
    });
    expect(
      errorsOf('L4.3.3', {
        featureTypes: [
          { name: 'tree', numerator: 70, denominator: 60 },
          { name: 'tree', numerator: 1, denominator: 2 },
        ],
      }),
    ).toEqual([
      {
        input: 'featureTypes[0].numerator',
        message:
          'is 70, more than featureTypes[0].denominator (60): it counts part of that total, so check both figures',
      },
      { input: 'featureTypes[1].name', message: "'tree' appears twice: list each once" },
    ]);
  });
});

describe('either (L4.3.5)', () => {
  it('computes the variant the city chose', () => {
    // a) 3 / 4 × 100 = 75
    expect(scored('L4.3.5', { variant: 'a', systemsUsingModel: 3, operationalSystems: 4 })).toMatchObject({
      value: 75,
      variant: 'a',
    });
    // b) 50 / 200 × 100 = 25
    expect(scored('L4.3.5', { variant: 'b', dataObjectsLinkedToModel: 50, dataObjects: 200 })).toMatchObject({
      value: 25,
      variant: 'b',
    });
  });

  it('asks for the variant and refuses the other variant’s inputs', () => {
    expect(errorsOf('L4.3.5', { systemsUsingModel: 3, operationalSystems: 4 })).toEqual([
      {
        input: 'variant',
        message: 'missing: enter the variant measured: "a" for ICT systems, "b" for business data objects',
      },
    ]);
    expect(
      errorsOf('L4.3.5', { variant: 'a', systemsUsingModel: 3, operationalSystems: 4, dataObjects: 9 }),
    ).toEqual([
      { input: 'dataObjects', message: "belongs to variant 'b', which was not chosen: leave it out" },
    ]);
  });
});

describe('method schema for user-defined indicators', () => {
  const problems = (method: MethodInput) => {
    const parsed = MethodSchema.safeParse(method);
    return parsed.success ? [] : zodProblems(parsed.error);
  };

  it('refuses points that add up to more than 100', () => {
    expect(
      problems({
        method: 'points',
        criteria: [
          { name: 'a', description: 'a', points: 60 },
          { name: 'b', description: 'b', points: 50 },
        ],
      }),
    ).toEqual([{ input: 'criteria', message: 'criteria add up to 110 points, more than 100' }]);
  });

  it('refuses weights that do not add up to 1', () => {
    const part = (part: string, weight: number) =>
      ({ kind: 'flag', part, weight, input: `has${part}`, description: part, points: 100 }) as const;
    expect(problems({ method: 'weighted', parts: [part('b1', 0.5), part('b2', 0.4)] })).toEqual([
      { input: 'parts', message: 'weights add up to 0.9; they must add up to 1' },
    ]);
  });

  it('refuses bands listed from the lowest threshold up, and one input read two ways', () => {
    expect(
      problems({
        method: 'scheme',
        parts: [
          {
            kind: 'bands',
            part: 'b1',
            input: 'share',
            description: 'share',
            bands: [
              { over: 30, points: 10 },
              { over: 60, points: 20 },
            ],
          },
          { kind: 'flag', part: 'b2', input: 'share', description: 'share', points: 20 },
        ],
      }),
    ).toEqual([
      {
        input: 'parts.0.bands.1',
        message: 'list bands from the highest threshold down: the first band that matches gives the points',
      },
      { input: '(top)', message: "input 'share' is used in two different ways" },
    ]);
  });

  it('knows the highest score of each standard indicator: 100, except L1.7.1 (70)', () => {
    const notHundred = ISO30146_CATALOGUE.filter((d) => Math.abs(maxScore(d.method) - 100) > 1e-9).map(
      (d) => [d.id, maxScore(d.method)],
    );
    expect(notHundred).toEqual([['L1.7.1', 70]]);
  });
});
