// The dashboard's data quality (issue 14 item 3): the view function greys a degraded value out and says why,
// on the headline card and in the district table, as Node-RED runs it (no browser needed).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as {
  id: string;
  type: string;
  func?: string;
  format?: string;
}[];
const byId = new Map(nodes.map((n) => [n.id, n]));

const run = (id: string, flowData: Record<string, unknown>) => {
  const func = byId.get(id)?.func;
  if (!func) throw new Error(`no function node ${id}`);
  const node = { warn: () => {}, log: () => {}, send: () => {} };
  const flow = { get: (k: string) => flowData[k], set: () => {} };
  const global = { get: () => undefined, set: () => {} };
  return new Function('msg', 'node', 'env', 'flow', 'global', 'context', func)(
    { topic: 'redraw' },
    node,
    { get: () => undefined },
    flow,
    global,
    flow,
  );
};

const reason = '3 of 4 devices heard within their interval (75 %)';
const row = (id: string, scope: string, flag: string) => ({
  id,
  name: id,
  scope,
  value: 100,
  means: {},
  quality: {
    flag,
    coverage: flag === 'good' ? 1 : 0.75,
    stalenessMs: 1000,
    heard: 3,
    expected: 4,
    ...(flag === 'good' ? {} : { reason }),
  },
});

describe('data quality on the dashboard', () => {
  it('marks a degraded value with its reason, on its card and its district cell; a good one stays plain', () => {
    const indicators = {
      'availability.cctv|city': row('availability.cctv', 'city', 'degraded'),
      'L2.2.1|city': row('L2.2.1', 'city', 'good'),
      'L2.2.1|north': row('L2.2.1', 'north', 'degraded'),
    };
    const [headline, districts] = run('cg-fn-view', { indicators, thresholds: [] });
    const cctv = headline.payload.availability.find((c: { id: string }) => c.id === 'availability.cctv');
    expect(cctv).toMatchObject({ value: 100, quality: 'degraded', qualityReason: reason });
    expect(headline.payload.headline.find((c: { id: string }) => c.id === 'L2.2.1')).toMatchObject({
      quality: 'good',
      qualityReason: null,
    });
    expect(districts.payload.rows).toEqual([
      {
        district: 'north',
        cells: {
          'L2.2.1': {
            value: 100,
            unit: '%',
            state: 'none',
            below: null,
            severity: null,
            against: null,
            quality: 'degraded',
            qualityReason: reason,
          },
        },
      },
    ]);
    // The templates grey what the view marks and print why.
    expect(byId.get('cg-tpl-headline')?.format).toContain("i.quality === 'degraded' ? 'cg-degraded' : ''");
    expect(byId.get('cg-tpl-headline')?.format).toContain('data-testid="quality"');
    expect(byId.get('cg-tpl-districts')?.format).toContain("r.cells[c.id].quality === 'degraded'");
  });
});
