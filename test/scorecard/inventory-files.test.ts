// The city's own ISO/IEC 30146 indicators (scorecard-indicators.json|yaml) and PAS 181 self-assessments
// from an inventory folder: `file: reason` errors, ids of the standard refused, remembered by the store.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import {
  importSelfAssessments,
  loadUserIndicators,
  userIndicatorFile,
} from '../../scorecard/inventory-files.js';
import { inventoryDir, tempDir } from '../support/tmp.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));

const drills = (id = 'L6.2.9', secondLevel = 'L6.2', section = '7.6.2') => ({
  id,
  name: 'Security incident response drills per year',
  description: '25 points per drill, at most 100',
  section,
  secondLevel,
  source: 'administrative',
  method: {
    method: 'capped-count',
    count: { name: 'drills', description: 'drills held in the year' },
    pointsEach: 25,
    cap: 100,
  },
});
const YAML = `indicators:
  - id: L6.2.9
    name: Security incident response drills per year
    description: 25 points per drill, at most 100
    section: 7.6.2
    secondLevel: L6.2
    source: administrative
    method: { method: capped-count, count: { name: drills, description: drills held }, pointsEach: 25, cap: 100 }
`;
const fileIn = (name: string, content: string) => join(inventoryDir({ [name]: content }), name);

describe('user-defined scorecard indicators', () => {
  it('loads JSON or YAML into the store, which remembers them and accepts their inputs', () => {
    const data = tempDir();
    const store = ScorecardStore.open(data);
    const ids = loadUserIndicators(store, fileIn('scorecard-indicators.yaml', YAML)).map((d) => d.id);
    expect(ids).toEqual(['L6.2.9']);
    store.close();
    const again = ScorecardStore.open(data);
    expect(again.catalogue).toHaveLength(53);
    expect(again.isUserDefined('L6.2.9')).toBe(true);
    expect(again.isUserDefined('L6.1.1')).toBe(false);
    expect(again.tree.get('L6.2')?.parts).toEqual(['L6.2.9']);
    const r = again.enter({
      indicator: 'L6.2.9',
      period: '2026',
      inputs: { drills: 5 },
      source: 'CISO',
      by: 'A',
    });
    expect(r.ok && r.entry.value).toBe(100);
    expect(again.setWeights({ 'L6.2.9': 2 }).ok).toBe(true);
    again.close();
  });

  it('remembers nothing with remember: false (dry runs), and replaces the list on each load', () => {
    const data = tempDir();
    const store = ScorecardStore.open(data);
    loadUserIndicators(store, fileIn('x.json', JSON.stringify([drills()])), { remember: false });
    expect(store.isUserDefined('L6.2.9')).toBe(true);
    store.close();
    const again = ScorecardStore.open(data);
    expect(again.isUserDefined('L6.2.9')).toBe(false);
    loadUserIndicators(again, fileIn('x.json', JSON.stringify([drills()])));
    loadUserIndicators(again, fileIn('x.json', '[]'));
    expect(again.catalogue).toHaveLength(52);
    again.close();
  });

  it('names the file when it is not valid JSON or YAML', () => {
    const store = ScorecardStore.inMemory();
    expect(() => loadUserIndicators(store, fileIn('scorecard-indicators.json', '[{"id": "L6.2.1",'))).toThrow(
      /^scorecard-indicators\.json: not valid JSON: /,
    );
    expect(() => loadUserIndicators(store, fileIn('scorecard-indicators.yaml', 'indicators: [a, b'))).toThrow(
      /^scorecard-indicators\.yaml: not valid YAML: /,
    );
  });

  it('refuses an id the standard uses and an unknown second-level group, naming the entry', () => {
    const store = ScorecardStore.inMemory();
    const clash = fileIn(
      'scorecard-indicators.json',
      JSON.stringify({ indicators: [drills(), drills('L1.1.1', 'L1.1', '7.1.1')] }),
    );
    expect(() => loadUserIndicators(store, clash)).toThrow(
      "scorecard-indicators.json: 1.id: 'L1.1.1' is already defined: give it another number",
    );
    const unknown = fileIn('scorecard-indicators.json', JSON.stringify([drills('L6.3.1', 'L6.3', '7.6.3')]));
    expect(() => loadUserIndicators(store, unknown)).toThrow(
      /^scorecard-indicators\.json: 0\.secondLevel: unknown second-level group 'L6\.3': use one of L1\.1, .*L6\.2$/,
    );
    // Refused as a whole: nothing of either file was taken.
    expect(store.catalogue).toHaveLength(52);
  });

  it('refuses two indicator files in one inventory', () => {
    const dir = inventoryDir({ 'scorecard-indicators.json': '[]', 'scorecard-indicators.yaml': '[]' });
    expect(() => userIndicatorFile(dir)).toThrow(
      'scorecard-indicators.yaml and scorecard-indicators.json: keep one file of user-defined indicators',
    );
    expect(userIndicatorFile(SAMPLE)).toBe(join(SAMPLE, 'scorecard-indicators.json'));
  });
});

describe('self-assessments from a file', () => {
  it('records the good entries and reports the bad ones as file: entry.field: reason', () => {
    const store = ScorecardStore.inMemory();
    const path = fileIn(
      'self-assessments-2026.json',
      JSON.stringify([
        { component: 'service-delivery', level: 4, by: 'L. Moreau', at: '2026-11-24T14:00:00+01:00' },
        { component: 'service-delivery', level: 7, by: 'L. Moreau', at: '2026-11-24T14:00:00+01:00' },
        {
          component: 'leadership-environment',
          level: 3,
          by: 'A',
          at: '2026-11-24T14:00:00Z',
          evidence: ['L6.2.1'],
        },
      ]),
    );
    expect(importSelfAssessments(store, path)).toEqual({
      accepted: 1,
      rejected: 2,
      errors: [
        'self-assessments-2026.json: 1.level: a level from 1 (lagging) to 5 (excelling)',
        "self-assessments-2026.json: 2.evidence.0: 'L6.2.1' is not an indicator in the catalogue: cite an existing id",
      ],
    });
  });

  it('ships one for each of the six PAS 181 components in the sample city, citing its own L6.2.1', () => {
    const store = ScorecardStore.inMemory();
    loadUserIndicators(store, join(SAMPLE, 'scorecard-indicators.json'));
    const r = importSelfAssessments(store, join(SAMPLE, 'self-assessments-2026.json'));
    expect(r).toEqual({ accepted: 6, rejected: 0, errors: [] });
    expect(store.selfAssessments().map((a) => a.component)).toEqual([
      'leadership-environment',
      'customer-stakeholder-focus',
      'service-enablement',
      'service-delivery',
      'digital-asset-management',
      'physical-asset-management',
    ]);
    for (const a of store.selfAssessments()) expect(a.at).toMatch(/[+-]\d\d:\d\d$/);
  });
});
