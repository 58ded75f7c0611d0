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
