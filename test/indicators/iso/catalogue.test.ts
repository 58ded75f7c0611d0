import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LIVE_CATALOGUE } from '../../../indicators/catalogue.js';
import { SECOND_LEVEL } from '../../../indicators/iso/hierarchy.js';
import {
  ISO30146_CATALOGUE,
  type IsoIndicatorInput,
  parseIsoIndicators,
} from '../../../indicators/iso/iso30146.js';
import { computeScore } from '../../../indicators/iso/methods.js';

// The design notes sit beside the repository (../shared/design), on CI machines too.
const ISO_MD = fileURLToPath(new URL('../../../../shared/design/ISO30146.md', import.meta.url));

// Kept by hand so the test fails meaningfully even where the design notes are absent.
const EXPECTED_IDS = [
  ...['L1.1.1', 'L1.1.2', 'L1.1.3', 'L1.1.4', 'L1.2.1', 'L1.2.2', 'L1.2.3', 'L1.3.1', 'L1.3.2', 'L1.3.3'],
  ...['L1.4.1', 'L1.4.2', 'L1.4.3', 'L1.4.4', 'L1.4.5', 'L1.5.1', 'L1.5.2', 'L1.6.1', 'L1.6.2'],
  ...['L1.7.1', 'L1.7.2', 'L1.7.3', 'L1.8.1', 'L1.8.2', 'L1.9.1', 'L1.9.2'],
  ...['L2.1.1', 'L2.1.2', 'L2.2.1', 'L2.2.2', 'L2.2.3', 'L3.1.1', 'L3.1.2', 'L3.1.3', 'L3.2.1', 'L3.2.2'],
  ...[
    'L4.1.1',
    'L4.1.2',
    'L4.1.3',
    'L4.3.1',
    'L4.3.2',
    'L4.3.3',
    'L4.3.4',
    'L4.3.5',
    'L4.3.6',
    'L4.3.7',
    'L4.3.8',
  ],
  ...['L5.1.1', 'L5.1.2', 'L5.2.1', 'L5.2.2', 'L6.1.1'],
];

/** Each L-number in the tables of ISO30146.md with the clause of the heading above it. */
function tableRows(markdown: string): [id: string, section: string][] {
  const rows: [string, string][] = [];
  let section = '';
  for (const line of markdown.split('\n')) {
    const heading = /^##\s+(\d+\.\d+\.\d+)\s/.exec(line);
    if (heading) section = heading[1];
    const row = /^\|\s*(L\d+\.\d+\.\d+)\s*\|/.exec(line);
    if (row) rows.push([row[1], section]);
  }
  return rows;
}

describe('the ISO/IEC 30146 catalogue', () => {
  it('holds the 52 third-level indicators of our copy, each once, in the standard’s order', () => {
    expect(ISO30146_CATALOGUE.map((d) => d.id)).toEqual(EXPECTED_IDS);
    expect(new Set(EXPECTED_IDS).size).toBe(52);
  });

  it.skipIf(!existsSync(ISO_MD))('matches every L-number and clause in the tables of ISO30146.md', () => {
    const rows = tableRows(readFileSync(ISO_MD, 'utf8'));
    expect(rows.map(([id]) => id)).toEqual(EXPECTED_IDS);
    expect(ISO30146_CATALOGUE.map((d) => [d.id, d.section])).toEqual(rows);
  });

  it('files each indicator under the second-level group its number names', () => {
    const sections = new Map(SECOND_LEVEL.map((g) => [g.id, g.section]));
    const misfiled = ISO30146_CATALOGUE.filter(
      (d) => !d.id.startsWith(`${d.secondLevel}.`) || sections.get(d.secondLevel) !== d.section,
    );
    expect(misfiled).toEqual([]);
    // The standard's own quirk: L4.3.x sit in 7.4.2.
    expect(ISO30146_CATALOGUE.find((d) => d.id === 'L4.3.1')).toMatchObject({
      secondLevel: 'L4.3',
      section: '7.4.2',
    });
  });

  it('marks as live exactly the indicators the engine computes', () => {
    const live = ISO30146_CATALOGUE.filter((d) => d.source === 'live').map((d) => d.id);
    expect(live).toEqual(['L1.2.2', 'L2.1.1', 'L2.2.1', 'L2.2.2', 'L3.1.1', 'L3.2.2']);
    const engineIds = new Set(LIVE_CATALOGUE.map((d) => d.id));
    expect(live.filter((id) => !engineIds.has(id))).toEqual([]);
  });

  it('declares the L2.2.1 weights of the standard, matching the live definition', () => {
    const iso = ISO30146_CATALOGUE.find((d) => d.id === 'L2.2.1')!;
    const live = LIVE_CATALOGUE.find((d) => d.id === 'L2.2.1')!;
    const isoWeights = iso.method.method === 'weighted' ? iso.method.parts.map((p) => p.weight) : [];
    const liveWeights = live.kind === 'weighted' ? live.parts.map((p) => p.weight) : [];
    expect(isoWeights).toEqual([0.25, 0.2, 0.15, 0.25, 0.15]);
    expect(isoWeights).toEqual(liveWeights);
  });

  it('scores every ratio indicator 50 for half of its denominator', () => {
    const ratios = ISO30146_CATALOGUE.filter((d) => d.method.method === 'ratio');
    const scores = ratios.map((d) => {
      if (d.method.method !== 'ratio') return null;
      const result = computeScore(d, { [d.method.numerator.name]: 5, [d.method.denominator.name]: 10 });
      return result.ok ? result.value : result.errors;
    });
    // 52 less the 15 scored by points, schemes, weights, feature types or variants
    expect(ratios).toHaveLength(37);
    expect(new Set(scores)).toEqual(new Set([50]));
  });
});

describe('user-defined indicators', () => {
  const backups: IsoIndicatorInput = {
    id: 'L6.2.1',
    name: 'Critical systems with tested backups',
    description: '(critical city systems with a restore test in the last year / critical city systems) × 100',
    section: '7.6.2',
    secondLevel: 'L6.2',
    source: 'administrative',
    method: {
      method: 'ratio',
      numerator: {
        name: 'systemsWithTestedBackups',
        description: 'number of critical systems with a tested restore',
      },
      denominator: { name: 'criticalSystems', description: 'number of critical city systems' },
    },
  };

  it('load from JSON text in the catalogue’s own form and compute like the standard ones', () => {
    const parsed = parseIsoIndicators(JSON.stringify({ indicators: [backups] }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.map((d) => d.id)).toEqual(['L6.2.1']);
    // 9 / 12 × 100 = 75
    expect(computeScore(parsed.value[0], { systemsWithTestedBackups: 9, criticalSystems: 12 })).toMatchObject(
      {
        value: 75,
      },
    );
  });

  it('may not take the number of a standard indicator', () => {
    expect(parseIsoIndicators([{ ...backups, id: 'L6.1.1', secondLevel: 'L6.1', section: '7.6.1' }])).toEqual(
      {
        ok: false,
        errors: [{ input: '0.id', message: "'L6.1.1' is already defined: give it another number" }],
      },
    );
  });

  it('must sit in a known second-level group whose clause and numbering agree', () => {
    const parsed = parseIsoIndicators([
      { ...backups, secondLevel: 'L6.9' },
      { ...backups, id: 'L6.2.2', section: '7.6.1' },
      { ...backups, id: 'L6.1.7' },
    ]);
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      {
        input: '0.secondLevel',
        message: expect.stringMatching(
          /^unknown second-level group 'L6.9': use one of L1.1, L1.2, .*, L6.2$/,
        ),
      },
      { input: '0.id', message: "'L6.2.1' must be numbered under its group: L6.9.<n>" },
      { input: '1.section', message: 'is 7.6.1, but L6.2 (System and data security) is section 7.6.2' },
      { input: '2.id', message: "'L6.1.7' must be numbered under its group: L6.2.<n>" },
    ]);
  });

  it('report schema problems with the path into the entry', () => {
    const { denominator: _d, ...numeratorOnly } = backups.method as { denominator: unknown };
    const parsed = parseIsoIndicators([{ ...backups, source: 'manual', method: numeratorOnly }]);
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { input: '0.method.denominator', message: 'Invalid input: expected object, received undefined' },
      { input: '0.source', message: 'Invalid option: expected one of "live"|"administrative"' },
    ]);
  });

  it('refuse text that is not JSON, or not a list', () => {
    expect(parseIsoIndicators('[{')).toMatchObject({ ok: false, errors: [{ input: '(top)' }] });
    expect(parseIsoIndicators({ id: 'L6.2.1' })).toEqual({
      ok: false,
      errors: [{ input: '(top)', message: 'expected a list of indicators, or { "indicators": [...] }' }],
    });
  });
});
