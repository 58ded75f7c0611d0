// The dashboard's error budgets (issue 14 item 5): the flows read GET /api/objectives with the service token
// every minute and on every alert, and the alert routes describe a burn-rate alert by its windows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as {
  id: string;
  type: string;
  func?: string;
  format?: string;
  group?: string;
  wires?: string[][];
}[];
const byId = new Map(nodes.map((n) => [n.id, n]));
const ENV: Record<string, string> = { CITYGAUGE_API_URL: 'http://api', CITYGAUGE_RED_TOKEN: 'red-token' };
const run = (id: string, msg: Record<string, unknown>) => {
  const func = byId.get(id)?.func;
  if (!func) throw new Error(`no function node ${id}`);
  const node = { warn: () => {}, log: () => {}, send: () => {} };
  const store = { get: () => undefined, set: () => {} };
  return new Function('msg', 'node', 'env', 'flow', 'global', 'context', func)(
    msg,
    node,
    { get: (k: string) => ENV[k] },
    store,
    store,
    store,
  );
};

describe('error budgets on the dashboard', () => {
  it('asks GET /api/objectives with the service token, at start, every minute and on every alert event', () => {
    const req = run('cg-fn-budgets-req', { topic: '' });
    expect(req).toMatchObject({
      method: 'GET',
      url: 'http://api/api/objectives',
      headers: { authorization: 'Bearer red-token' },
    });
    expect(byId.get('cg-inj-budgets')?.wires).toEqual([['cg-fn-budgets-req']]);
    expect(byId.get('cg-in-alerts')?.wires?.[0]).toContain('cg-fn-budgets-req');
    const shown = run('cg-fn-budgets', { statusCode: 200, payload: [{ indicator: 'availability.cctv' }] });
    expect(shown).toEqual({
      topic: 'budgets',
      payload: { objectives: [{ indicator: 'availability.cctv' }] },
    });
    const tpl = byId.get('cg-tpl-budgets');
    expect(tpl).toMatchObject({ type: 'ui-template', group: 'cg-grp-budgets' });
    expect(tpl?.format).toContain('o.budgetLeftText');
  });

  it('routes a burn-rate alert as a line naming its rule, windows and objective', () => {
    const [, toPeople] = run('cg-fn-route', {
      payload: {
        event: 'raise',
        kind: 'burn-rate',
        indicator: 'availability.cctv',
        scope: 'city',
        severity: 'critical',
        value: 80,
        below: 99.5,
        detail: {
          rule: 'page',
          target: 99.5,
          window: '30d',
          burnRate: 14.4,
          windows: { '1h': 15.2, '5m': 40 },
        },
      },
    });
    expect(toPeople.topic).toBe(
      '[critical] availability.cctv (city) error budget page RAISED: burning 15.2x over 1h and 40.0x over 5m (objective 99.5 % over 30d)',
    );
  });
});
