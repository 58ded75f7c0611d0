// A city's own indicator definitions are bounded like every text a person sets (issue 10 item 11): the id is
// a topic level of at most 64 characters, the name and unit go out in every published value.
import { describe, expect, it } from 'vitest';
import { parseIndicatorText } from '../../indicators/load-definitions.js';

const def = (over: Record<string, unknown>) =>
  JSON.stringify({
    indicators: [
      {
        id: 'city.cams',
        name: 'Cameras',
        kind: 'asset-coverage',
        asset: { type: 'area' },
        coveredBy: { device: { kind: 'cctv' }, condition: 'online' },
        ...over,
      },
    ],
  });

describe('indicator definition limits', () => {
  it('takes a definition within the limits', () => {
    expect(parseIndicatorText(def({}), 'indicators.json').map((d) => d.id)).toEqual(['city.cams']);
  });

  it('refuses an id over 64 characters, a name over 200 and a unit over 32', () => {
    expect(() => parseIndicatorText(def({ id: `a${'b'.repeat(64)}` }), 'indicators.json')).toThrow(/id/);
    expect(() => parseIndicatorText(def({ name: 'n'.repeat(900_000) }), 'indicators.json')).toThrow(
      /at most 200 characters/,
    );
    expect(() => parseIndicatorText(def({ unit: 'u'.repeat(33) }), 'indicators.json')).toThrow(
      /at most 32 characters/,
    );
  });
});
