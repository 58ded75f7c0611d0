// The City page's incident list (flows/src/city.mjs): its function nodes run as Node-RED runs them, with the
// flow context kept. One request at a time however many changes arrive, open incidents first, merged ones
// left to their district incident, and acknowledging in the name of the person who clicked.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as {
  id: string;
  type: string;
  func?: string;
  group?: string;
  format?: string;
}[];
const ENV: Record<string, string> = { CITYGAUGE_API_URL: 'http://api', CITYGAUGE_RED_TOKEN: 'red-token' };

function flowContext() {
  const memory: Record<string, unknown> = {};
  const flow = {
    get: (k: string) => memory[k],
    set: (k: string, v: unknown) => {
      memory[k] = v;
    },
  };
  const global = { get: () => ({ timeZone: 'Europe/Paris' }), set: () => {} };
  return (id: string, msg: Record<string, unknown>) => {
    const func = nodes.find((n) => n.id === id)?.func;
    if (!func) throw new Error(`no function node ${id}`);
    const warnings: string[] = [];
    const node = { warn: (w: string) => warnings.push(w) };
    const env = { get: (k: string) => ENV[k] };
    const out = new Function('msg', 'node', 'env', 'flow', 'global', 'context', func)(
      msg,
      node,
      env,
      flow,
      global,
      flow,
    );
    return { out, warnings };
  };
}

const hourAgo = new Date(Date.now() - 3600_000).toISOString();
const incident = (id: string, status: string, raisedAt: string, extra: object = {}) => ({
  id,
  status,
  raisedAt,
  cause: 'device',
  subject: id,
  devices: [id],
  effects: [],
  ...extra,
});

describe('the incident list on the City page', () => {
  it('is a widget of the Incidents group on the City page', () => {
    const widget = nodes.find((n) => n.id === 'cg-tpl-incidents');
    expect(widget).toMatchObject({ type: 'ui-template', group: 'cg-grp-incidents' });
    expect(nodes.find((n) => n.id === 'cg-grp-incidents')).toMatchObject({ page: 'cg-page-city' });
    expect(widget?.format).toContain("fetch('/api/incidents/' + encodeURIComponent(id)");
  });

  it('asks the API once while a burst of changes arrives, and once more after it answers', () => {
    const run = flowContext();
    expect(run('cg-fn-incidents-req', {}).out).toEqual({
      method: 'GET',
      url: 'http://api/api/incidents?limit=200&withOpen=true',
      headers: { authorization: 'Bearer red-token' },
    });
    expect(run('cg-fn-incidents-req', {}).out).toBeNull();
    expect(run('cg-fn-incidents-req', {}).out).toBeNull();
    const [list, again] = run('cg-fn-incidents', { statusCode: 200, payload: [] }).out;
    expect(list.payload.incidents).toEqual([]);
    expect(again).toEqual({ topic: 'again' });
    expect(run('cg-fn-incidents-req', {}).out).toMatchObject({ method: 'GET' });
    expect(run('cg-fn-incidents', { statusCode: 200, payload: [] }).out[1]).toBeNull();
  });

  it('lists open incidents first, newest first, leaving out merged ones and those resolved over a day ago', () => {
    const run = flowContext();
    run('cg-fn-incidents-req', {});
    const payload = [
      incident('new-resolved', 'resolved', hourAgo, { resolvedAt: hourAgo }),
      incident('old-resolved', 'resolved', '2026-01-01T00:00:00.000Z', {
        resolvedAt: '2026-01-01T01:00:00.000Z',
      }),
      incident('merged', 'resolved', hourAgo, { resolvedAt: hourAgo, mergedInto: 'east-x' }),
      incident('older-open', 'open', '2026-01-02T00:00:00.000Z'),
      incident('recovering', 'recovering', hourAgo),
      incident('newer-open', 'open', hourAgo),
    ];
    const [list] = run('cg-fn-incidents', { statusCode: 200, payload }).out;
    expect(list.payload.incidents.map((i: { id: string }) => i.id)).toEqual([
      'newer-open',
      'older-open',
      'recovering',
      'new-resolved',
    ]);
    expect(list.payload.timeZone).toBe('Europe/Paris');
  });

  it('acknowledges in the name of the person who clicked, and sends nothing that names nobody', () => {
    const run = flowContext();
    const client = { socketId: 's1', user: { name: 'olga', role: 'operator' } };
    expect(
      run('cg-fn-incident-ack', { topic: 'ack', payload: { id: 'gw-1-x' }, _client: client }).out,
    ).toMatchObject({
      method: 'POST',
      url: 'http://api/api/incidents/gw-1-x/ack',
      headers: { authorization: 'Bearer red-token', 'x-citygauge-person': 'olga' },
    });
    const nobody = run('cg-fn-incident-ack', {
      topic: 'ack',
      payload: { id: 'gw-1-x' },
      _client: { socketId: 's1' },
    });
    expect(nobody.out).toBeNull();
    expect(nobody.warnings).toHaveLength(1);
  });

  it('tells the person who clicked how it went, them alone, and refreshes the list for everyone', () => {
    const run = flowContext();
    const client = { socketId: 's1', user: { name: 'olga', role: 'operator' } };
    for (const [id, list] of [
      ['cg-fn-incident-ack-done', 'cg-fn-incidents'],
      ['cg-fn-ack-done', 'cg-fn-alerts'],
    ]) {
      const refused = run(id, { statusCode: 409, payload: { message: 'already' }, _client: client });
      expect(refused.out).toEqual([
        { topic: 'notice', _client: client, payload: { ok: false, text: 'Not acknowledged: already' } },
        { topic: 'refresh' },
      ]);
      // No answer at all (the API away): the status, not "undefined".
      const away = run(id, { statusCode: 503, payload: 'connect ECONNREFUSED', _client: client });
      expect(away.out[0].payload.text).toBe('Not acknowledged: HTTP 503');
      // The list everyone gets carries no one's notice.
      const [shown] = [run(list, { statusCode: 200, payload: [] }).out].flat();
      expect(shown.payload).not.toHaveProperty('notice');
      expect(shown._client).toBeUndefined();
    }
    const widget = nodes.find((n) => n.id === 'cg-tpl-incidents')?.format ?? '';
    expect(widget).toContain("m.topic === 'notice'");
  });
});
