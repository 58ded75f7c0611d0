// The terminal table `citygauge demo` prints: each city value's quality in its own column, beside the means.
import { describe, expect, it } from 'vitest';
import { indicatorTable } from '../../cli/indicator-table.js';
import type { IndicatorValue } from '../../engine/city-engine.js';
import { zeroCounts } from '../../engine/rejections.js';

const row = (id: string, scope: string, value: number | null, quality?: IndicatorValue['quality']) => ({
  id,
  scope,
  value,
  numerator: null,
  denominator: null,
  means: { '1h': value },
  ...(quality ? { quality } : {}),
});

describe('indicator table', () => {
  it('prints the city quality with its share of devices heard, and a legend for it', () => {
    const text = indicatorTable(
      {
        at: 0,
        accepted: 0,
        rejected: zeroCounts(),
        indicators: [
          row('availability.cctv', 'city', 100, {
            flag: 'degraded',
            coverage: 0.666666667,
            stalenessMs: 1,
            heard: 2,
            expected: 3,
            reason: 'x',
          }),
          row('availability.cctv', 'north', 100),
          row('L1.2.2', 'city', null, {
            flag: 'unknown',
            coverage: null,
            stalenessMs: null,
            heard: 0,
            expected: 0,
          }),
          row('L1.2.2', 'north', null),
        ],
      },
      new Map(),
    );
    const lines = text.split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['indicator', 'city', 'north', 'city 1h mean', 'city quality']);
    expect(lines[2]).toMatch(/^availability\.cctv\s+100\.0\s+100\.0\s+100\.0\s+degraded 66 %$/);
    expect(lines[3]).toMatch(/^L1\.2\.2\s+—\s+—\s+—\s+unknown$/);
    expect(text).toContain(
      'City quality: the share of its devices heard within their interval; degraded under 90 %',
    );
  });

  it('has no quality column for values without one (a cluster merge)', () => {
    const text = indicatorTable(
      { at: 0, accepted: 0, rejected: zeroCounts(), indicators: [row('L1.2.2', 'city', 50)] },
      new Map(),
    );
    expect(text.split('\n')[0]).not.toContain('quality');
  });
});
