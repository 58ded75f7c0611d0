// The shipped flows: generated from flows/src (so their code can be reviewed as code) and current; every
// node they use is one Node-RED 4 or an installed package provides; the broker nodes point at the
// embedded broker, so their credentials can be written at start.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without declarations
import { FLOWS_JSON } from '../../flows/src/build.mjs';
import { EMBEDDED_BROKER_HOST } from '../../red/flow-credentials.js';

const shipped = readFileSync('flows/citygauge.json', 'utf8');
const nodes = JSON.parse(shipped) as {
  id: string;
  type: string;
  z?: string;
  wires?: string[][];
  d?: boolean;
}[];

describe('flows/citygauge.json', () => {
  it('is what flows/src/build.mjs generates (run `npm run flows` after changing it)', () => {
    expect(shipped).toBe(FLOWS_JSON);
  });

  it('wires only to nodes that exist, and ids are unique', () => {
    const ids = new Set(nodes.map((n) => n.id));
    expect(ids.size).toBe(nodes.length);
    const dangling = nodes.flatMap((n) =>
      (n.wires ?? [])
        .flat()
        .filter((to) => !ids.has(to))
        .map((to) => `${n.id}→${to}`),
    );
    expect(dangling).toEqual([]);
  });

  it('routes alerts to a log and to MQTT, with e-mail and webhook configured but off', () => {
    const routes = nodes.filter((n) => n.z === 'cg-tab-routes');
    const byId = new Map(routes.map((n) => [n.id, n]));
    expect(byId.get('cg-fn-log')?.d).toBeUndefined();
    expect(byId.get('cg-out-notify')?.d).toBeUndefined();
    expect(byId.get('cg-email')).toMatchObject({ type: 'e-mail', d: true });
    expect(byId.get('cg-http-webhook')).toMatchObject({ type: 'http request', d: true });
  });

  it('connects every MQTT node through a broker node that names the embedded broker', () => {
    const brokers = nodes.filter((n) => n.type === 'mqtt-broker') as unknown as { broker: string }[];
    expect(brokers.map((b) => b.broker)).toEqual([EMBEDDED_BROKER_HOST]);
  });

  it('uses only node types that are installed', () => {
    const core = new Set([
      'tab',
      'comment',
      'inject',
      'function',
      'http request',
      'mqtt in',
      'mqtt out',
      'mqtt-broker',
    ]);
    const dashboard = Object.keys(
      JSON.parse(readFileSync('node_modules/@flowfuse/node-red-dashboard/package.json', 'utf8'))['node-red']
        .nodes,
    );
    const email = ['e-mail'];
    const unknown = nodes
      .map((n) => n.type)
      .filter((t) => !core.has(t) && !dashboard.includes(t) && !email.includes(t));
    expect(unknown).toEqual([]);
  });
});

describe('the flows’ requests to the API', () => {
  const byId = new Map(nodes.map((n) => [n.id, n as unknown as { func?: string; type: string }]));
  const ENV: Record<string, string> = { CITYGAUGE_API_URL: 'http://api', CITYGAUGE_RED_TOKEN: 'red-token' };
  /** Runs a function node's code as Node-RED would, with its context stubbed. */
  const run = (id: string, msg: Record<string, unknown>) => {
    const func = byId.get(id)?.func;
    if (!func) throw new Error(`no function node ${id}`);
    const warnings: string[] = [];
    const node = { warn: (w: string) => warnings.push(w), log: () => {}, send: () => {} };
    const store = { get: () => undefined, set: () => {} };
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
  };
  const client = { socketId: 's1', user: { name: 'olga', role: 'operator' } };
  const writes: [string, Record<string, unknown>][] = [
    ['cg-fn-ack', { topic: 'ack', payload: { alertId: 'a-1' } }],
    ['cg-fn-register', { topic: 'register', payload: { id: 'sen-9', kind: 'sensor' } }],
    ['cg-fn-upload', { topic: 'upload', payload: { files: [{ name: 'devices.csv', text: 'id' }] } }],
    ['cg-fn-audit-req', { topic: 'audit', payload: { actor: 'emil', action: '' } }],
  ];

  it('name the dashboard’s person on every write, with the service token, and answer that browser', () => {
    for (const [id, msg] of writes) {
      const { out } = run(id, { ...msg, _client: client });
      expect(out.headers, id).toMatchObject({
        authorization: 'Bearer red-token',
        'x-citygauge-person': 'olga',
      });
      expect(out._client, id).toEqual(client);
    }
    expect(run('cg-fn-ack', { ...writes[0][1], _client: client }).out).toMatchObject({
      method: 'POST',
      url: 'http://api/api/alerts/a-1/ack',
      payload: {},
    });
    expect(run('cg-fn-audit-req', { ...writes[3][1], _client: client }).out.url).toBe(
      'http://api/api/audit?limit=100&actor=emil',
    );
  });

  it('send no write that names nobody, and say why', () => {
    for (const [id, msg] of writes) {
      const { out, warnings } = run(id, { ...msg, _client: { socketId: 's1' } });
      expect(out, id).toBeNull();
      expect(warnings, id).toEqual([
        'not sent to the API: the message names no signed-in person (only dashboard widgets make writes)',
      ]);
    }
  });

  it('carry the service token on every request to the API, reads included', () => {
    // Every function feeding an http request node to the city's API sets the token's headers.
    const feeders = nodes.filter(
      (n) =>
        n.type === 'function' &&
        n.z !== 'cg-tab-routes' &&
        (n.wires ?? []).flat().some((to) => byId.get(to)?.type === 'http request'),
    ) as unknown as { id: string; func: string }[];
    expect(feeders.length).toBeGreaterThan(8);
    for (const f of feeders) expect(f.func, f.id).toMatch(/headers = auth;|headers: auth|asPerson/);
  });
});
