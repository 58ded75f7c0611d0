// The alert routes for incidents (flows/src/routes.mjs): the function node runs as Node-RED runs it, with its
// context kept and timers real. A gateway loss is one notification naming its cameras; a power cut's first
// devices, merged into the district incident within the wait, are never sent; retained replays are not news.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';

const nodes = JSON.parse(readFileSync('flows/citygauge.json', 'utf8')) as {
  id: string;
  func?: string;
  wires?: string[][];
}[];

interface Sent {
  topic: string;
  alert: { id: string; event: string; severity: string };
}

function routeNode() {
  const node = nodes.find((n) => n.id === 'cg-fn-incident-route');
  if (!node?.func) throw new Error('no function node cg-fn-incident-route');
  const sent: (Sent | null)[][] = [];
  const memory: Record<string, unknown> = {};
  const context = {
    get: (k: string) => memory[k],
    set: (k: string, v: unknown) => {
      memory[k] = v;
    },
  };
  const statuses: { text?: string }[] = [];
  const status = (s: { text?: string }) => statuses.push(s);
  const env = { get: (k: string) => (k === 'CITYGAUGE_INCIDENT_WAIT_S' ? '0.05' : undefined) };
  const run = new Function('msg', 'node', 'env', 'flow', 'global', 'context', node.func);
  return {
    wires: node.wires,
    sent,
    statuses,
    /** Every held raise decided: sent, or dropped because a district incident took it over. */
    settled: () => waitFor('the held raises decided', () => ((memory.holding as number) ?? 0) === 0),
    /** As the broker delivers it: text (the mqtt in node takes it as text, not JSON). */
    receive: (payload: object, retain = false) =>
      run(
        { topic: 'city/incidents/x', payload: JSON.stringify(payload), retain },
        { send: (m: Sent[]) => sent.push(m), status },
        env,
        context,
        context,
        context,
      ),
    /** What the broker delivers when a resolved incident's retained topic is cleared. */
    cleared: () =>
      run(
        { topic: 'city/incidents/x', payload: '', retain: false },
        { send: () => {}, status },
        env,
        context,
        context,
        context,
      ),
  };
}

const now = new Date().toISOString();
const gatewayLoss = {
  id: 'gw-1-20261205T080010000Z',
  events: ['raised', 'grew', 'grew'],
  cause: 'gateway',
  subject: 'gw-1',
  district: 'centre',
  status: 'open',
  raisedAt: now,
  devices: ['gw-1'],
  effects: ['cam-1', 'cam-2'],
};

describe('the incident alert route', () => {
  it('feeds the log, MQTT, e-mail and webhook routes alerts feed', () => {
    expect(routeNode().wires).toEqual([
      ['cg-fn-log'],
      ['cg-fn-mqtt-route'],
      ['cg-fn-email'],
      ['cg-fn-webhook'],
    ]);
  });

  it('sends a gateway loss once, after the wait, naming its dark cameras; nothing for cameras joining later', async () => {
    const r = routeNode();
    r.receive(gatewayLoss);
    r.receive({ ...gatewayLoss, events: ['grew'] });
    r.receive({ ...gatewayLoss, events: ['acknowledged'], acknowledgedBy: 'olga' });
    expect(r.sent).toEqual([]);
    expect(r.statuses.at(-1)?.text).toBe('holding 1 raise');
    await waitFor('the held raise', () => r.sent.length === 1);
    const [log, mqtt, email, webhook] = r.sent[0];
    expect(log?.topic).toBe(
      '[major] incident gw-1-20261205T080010000Z RAISED: gateway gw-1 down, 2 cameras dark behind it (centre)',
    );
    expect([mqtt, email, webhook].every((m) => m === log)).toBe(true);
    expect(log?.alert).toMatchObject({ id: gatewayLoss.id, event: 'raise', severity: 'major' });
    await r.settled();
    expect(r.sent).toHaveLength(1);
  });

  it('sends no e-mail for the incidents a district incident took over within the wait, and one for the district', async () => {
    const r = routeNode();
    const single = (d: string) => ({
      ...gatewayLoss,
      id: `${d}-x`,
      cause: 'device',
      subject: d,
      devices: [d],
      effects: [],
      events: ['raised'],
    });
    r.receive(single('e-1'));
    r.receive(single('e-2'));
    r.receive({ ...single('e-1'), events: ['merged'], status: 'resolved', mergedInto: 'east-x' });
    r.receive({ ...single('e-2'), events: ['merged'], status: 'resolved', mergedInto: 'east-x' });
    r.receive({
      ...gatewayLoss,
      id: 'east-x',
      cause: 'district',
      subject: 'east',
      district: 'east',
      devices: ['e-1', 'e-2', 'e-3'],
      effects: [],
      events: ['raised'],
    });
    expect(r.statuses.at(-1)?.text).toBe('holding 3 raises');
    await waitFor('the district raise', () => r.sent.length >= 1);
    await r.settled();
    expect(r.statuses.at(-1)).toEqual({});
    expect(r.sent.map((m) => m[0]?.topic)).toEqual([
      '[critical] incident east-x RAISED: district east: 3 devices down together',
    ]);
  });

  it('sends the resolution to the log, MQTT and webhook but not e-mail, and ignores a retained replay', async () => {
    const r = routeNode();
    r.receive(gatewayLoss, true);
    expect(r.cleared()).toBeNull();
    r.receive({ ...gatewayLoss, events: ['resolved'], status: 'resolved', resolvedAt: now });
    await r.settled();
    expect(r.sent).toHaveLength(1);
    const [log, mqtt, email, webhook] = r.sent[0];
    expect(log?.alert.event).toBe('clear');
    expect([mqtt === log, email, webhook === log]).toEqual([true, null, true]);
  });
});
