import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileCityModel } from '../../engine/city-model.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue, parseIndicatorText } from '../../indicators/load-definitions.js';
import { renderReference } from '../../indicators/reference.js';
import { makeInventory } from '../support/city.js';

const yaml = `
- id: hd-online
  name: HD cameras online
  kind: device-share
  devices: { kind: cctv, hd: true }
  numerator: { condition: online }
- id: score
  name: Score
  kind: weighted
  parts:
    - { indicator: L2.2.1.b1, weight: 0.5 }
    - { indicator: hd-online, weight: 0.5 }
`;

describe('indicator definitions', () => {
  it('declares every live indicator of docs/contract.md §4', () => {
    const ids = buildCatalogue(LIVE_CATALOGUE).map((d) => d.id);
    expect(ids).toEqual([
      'L2.1.1',
      'L1.2.2',
      'L2.2.1.b1',
      'L2.2.1.b2',
      'L2.2.1.b3',
      'L2.2.1.b4',
      'L2.2.1.b5',
      'L2.2.1',
      'L2.2.2.b1',
      'L2.2.2.b2',
      'L2.2.2',
      'L3.1.1',
      'L3.2.2',
      'availability.cctv',
      'availability.cctv-gateway',
      'availability.pipe-monitor',
      'availability.transit-beacon',
      'availability.sensor',
    ]);
  });

  it('loads user definitions from YAML and JSON, defaulting the unit', () => {
    const fromYaml = parseIndicatorText(yaml, 'indicators.yaml');
    expect(fromYaml.map((d) => [d.id, d.unit])).toEqual([
      ['hd-online', '%'],
      ['score', '%'],
    ]);
    const fromJson = parseIndicatorText(JSON.stringify({ indicators: fromYaml }), 'indicators.json');
    expect(fromJson).toEqual(fromYaml);
    expect(buildCatalogue(LIVE_CATALOGUE, fromYaml)).toHaveLength(20);
  });

  it.each([
    ['not: [valid', 'x.yaml', /x\.yaml: not valid YAML/],
    ['{"a":', 'x.json', /x\.json: not valid JSON/],
    ['[{"id":"a","name":"A","kind":"magic"}]', 'x.json', /x\.json: 0\.kind: /],
    [
      '[{"id":"a b","name":"A","kind":"device-share","devices":{},"numerator":{"condition":"online"}}]',
      'x.json',
      /0\.id: an id of letters/,
    ],
    [
      '[{"id":"a","name":"A","kind":"device-share","devices":{},"numerator":{"condition":"awake"}}]',
      'x.json',
      /0\.numerator\.condition: /,
    ],
    [
      '[{"id":"a","name":"A","kind":"weighted","parts":[{"indicator":"b","weight":"x"}]}]',
      'x.json',
      /0\.parts\.0/,
    ],
  ])('rejects %s with a message naming the field', (text, name, message) => {
    expect(() => parseIndicatorText(text, name)).toThrow(message);
  });

  it('rejects a duplicate id, an unknown part and a cycle', () => {
    const share = (id: string) => ({
      id,
      name: id,
      unit: '%',
      kind: 'device-share' as const,
      devices: {},
      numerator: { condition: 'online' as const },
    });
    const weighted = (id: string, part: string) => ({
      id,
      name: id,
      unit: '%',
      kind: 'weighted' as const,
      parts: [{ indicator: part, weight: 1 }],
    });
    expect(() => buildCatalogue(LIVE_CATALOGUE, [share('L2.1.1')])).toThrow(/'L2.1.1' is defined twice/);
    expect(() => buildCatalogue([], [weighted('a', 'nope')])).toThrow(/unknown part 'nope'/);
    expect(() => buildCatalogue([], [weighted('a', 'b'), weighted('b', 'a')])).toThrow(
      /depends on itself: a → b → a/,
    );
  });

  it('rejects an unknown device kind or asset class when compiled against the inventory', () => {
    const bad = parseIndicatorText(
      '[{"id":"a","name":"A","kind":"device-share","devices":{"kind":"lamp"},"numerator":{"condition":"online"}}]',
      'x.json',
    );
    expect(() => compileCityModel(makeInventory({}), buildCatalogue([], bad))).toThrow(
      /unknown device kind 'lamp'/,
    );
    const cls = parseIndicatorText(
      '[{"id":"a","name":"A","kind":"asset-coverage","asset":{"type":"area","class":"mall"},"coveredBy":{"device":{"kind":"cctv"},"condition":"online"}}]',
      'x.json',
    );
    expect(() => compileCityModel(makeInventory({}), buildCatalogue([], cls))).toThrow(
      /area has no class 'mall'/,
    );
  });

  it('keeps docs/indicators.md in step with the catalogue (npm run docs:indicators)', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/indicators.md', import.meta.url)), 'utf8');
    expect(doc).toBe(renderReference(buildCatalogue(LIVE_CATALOGUE)));
  });
});

describe('hostile definition files', () => {
  it('refuses YAML nested deeper than 64 levels before parsing it (deep enough nesting aborted the process)', () => {
    for (const text of ['['.repeat(5000) + ']'.repeat(5000), `${'{"a": '.repeat(70)}1${'}'.repeat(70)}`]) {
      expect(() => parseIndicatorText(text, 'deep.yaml')).toThrow(
        'deep.yaml: not read: it nests deeper than 64 levels; no definition needs that',
      );
    }
    expect(() => parseIndicatorText(`a:\n${' '.repeat(300)}b: 1\n`, 'wide.yaml')).toThrow(
      'wide.yaml: not read: a line is indented more than 256 columns',
    );
    // Ordinary nesting, with brackets in quoted text that close again, still parses.
    expect(
      parseIndicatorText(
        '- id: my.share\n  name: "A [share] {of} things"\n  kind: device-share\n  devices: { kind: cctv, hd: true }\n  numerator: { condition: online }\n',
        'ok.yaml',
      ).map((d) => d.id),
    ).toEqual(['my.share']);
  });
});
