// The operators' maintenance page's flow (flows/src/maintenance.mjs): its function nodes run as Node-RED
// runs them, with the context stubbed. Each write names the operator on the page; answers go back to
// their browser, a refusal with the API's reason, a change with a reload of the list.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAGE_ROLES } from '../../red/dashboard-pages.js';

const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as {
  id: string;
  type: string;
  func?: string;
  z?: string;
}[];
const ENV: Record<string, string> = { CITYGAUGE_API_URL: 'http://api', CITYGAUGE_RED_TOKEN: 'red-token' };

function run(id: string, msg: Record<string, unknown>) {
  const func = nodes.find((n) => n.id === id)?.func;
  if (!func) throw new Error(`no function node ${id}`);
  const warnings: string[] = [];
  const node = { warn: (w: string) => warnings.push(w), log: () => {}, send: () => {} };
  const store = { get: () => ({ timeZone: 'Europe/Paris' }), set: () => {} };
  const env = { get: (k: string) => ENV[k] };
  const out = new Function('msg', 'node', 'env', 'flow', 'global', 'context', func)(
    msg,
    node,
    env,
    store,
    store,
    store,
  );
  return { out, warnings };
}

const client = { socketId: 's1', user: { name: 'olga', role: 'operator' } };
const window = {
  start: '2026-01-05T09:00:00.000Z',
  end: '2026-01-05T10:00:00.000Z',
  reason: 'lens',
  devices: ['cam-3'],
};

describe('the maintenance page’s flow', () => {
  it('is sent to operators and above only', () => {
    expect(PAGE_ROLES['cg-page-maintenance']).toBe('operator');
    expect(nodes.find((n) => n.id === 'cg-page-maintenance')).toMatchObject({
      type: 'ui-page',
      path: '/maintenance',
    });
  });

  it('plans with POST and cancels with DELETE in the operator’s name, and lists with GET', () => {
    const plan = run('cg-fn-maintenance-req', { topic: 'plan', payload: window, _client: client }).out;
    expect(plan).toMatchObject({
      method: 'POST',
      url: 'http://api/api/maintenance',
      payload: window,
      headers: { authorization: 'Bearer red-token', 'x-citygauge-person': 'olga' },
      _client: client,
    });
    const cancel = run('cg-fn-maintenance-req', {
      topic: 'cancel',
      payload: { id: 'w/1' },
      _client: client,
    }).out;
    expect(cancel).toMatchObject({ method: 'DELETE', url: 'http://api/api/maintenance/w%2F1' });
    expect(run('cg-fn-maintenance-req', { topic: 'load', _client: client }).out).toMatchObject({
      method: 'GET',
      url: 'http://api/api/maintenance',
    });
  });

  it('sends no write that names nobody', () => {
    const { out, warnings } = run('cg-fn-maintenance-req', {
      topic: 'plan',
      payload: window,
      _client: { socketId: 's1' },
    });
    expect(out).toBeNull();
    expect(warnings).toHaveLength(1);
  });

  it('answers the list, a plan done (with a reload), and a refusal with the API’s reason', () => {
    const listed = run('cg-fn-maintenance', {
      topic: 'load',
      statusCode: 200,
      payload: [{ id: 'w1' }],
      _client: client,
    }).out;
    expect(listed).toMatchObject({
      topic: 'maintenance',
      _client: client,
      payload: { windows: [{ id: 'w1' }], timeZone: 'Europe/Paris' },
    });
    const planned = run('cg-fn-maintenance', {
      topic: 'plan',
      statusCode: 201,
      payload: { reason: 'lens', deviceCount: 1, status: 'planned' },
      _client: client,
    }).out;
    expect(planned.payload).toMatchObject({
      changed: true,
      notice: { ok: true, text: 'Planned: lens (1 device).' },
    });
    const refused = run('cg-fn-maintenance', {
      topic: 'plan',
      statusCode: 400,
      payload: { error: 'bad-request', message: 'unknown devices: cam-404' },
      _client: client,
    }).out;
    expect(refused.payload).toMatchObject({
      changed: false,
      notice: { ok: false, text: 'Not done (HTTP 400: unknown devices: cam-404)' },
    });
  });
});
