// GET /api/incidents, /api/incidents/{id} and acknowledging one (issue 14 item 1), on the whole API in
// process: a gateway of the town goes offline and the duty officer sees one incident naming its cameras.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decoded } from '../../engine/inbound.js';
import { type FullApi, fullApi } from '../support/full-api.js';

const T0 = Date.parse('2026-12-05T08:00:00Z');
let api: FullApi;
const token: Record<string, string> = {};

beforeAll(async () => {
  api = await fullApi();
  const by = { name: 'test', role: null, via: 'cli' as const, address: null };
  for (const [name, role] of [
    ['vera', 'viewer'],
    ['olga', 'operator'],
    ['ada', 'admin'],
  ] as const) {
    await api.people.addLocal(name, role, by, `a long password for the ${role} desk`);
    token[name] = (await api.people.issueToken(name, {}, by)).token;
  }
  const engine = api.engine();
  const send = (s: number, topic: string, payload: object) =>
    engine.ingest({ receivedAt: T0 + s * 1000, topic, payload: new Decoded(payload, 100) });
  send(0, 'city/cctv-gateway/gw-1/heartbeat', { ts: T0 });
  for (const cam of ['cam-1', 'cam-2'])
    send(0, `city/cctv/${cam}/status`, { state: 'online', ts: T0, video: 'ok', shared: true });
  send(10, 'city/cctv-gateway/gw-1/status', { state: 'offline', ts: T0 + 10_000 });
  api.incidents.onSnapshot({ at: T0 + 10_500 });
}, 60_000);
afterAll(() => api?.close());

const as = (name: string, method: 'GET' | 'POST', url: string) =>
  api.app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${token[name]}`,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { payload: '{}' } : {}),
  });

const ID = 'gw-1-20261205T080010000Z';

describe('GET /api/incidents', () => {
  it('lists the gateway loss as one incident naming its dark cameras', async () => {
    const res = await as('vera', 'GET', '/api/incidents?open=true');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({
        id: ID,
        cause: 'gateway',
        subject: 'gw-1',
        district: 'centre',
        status: 'open',
        raisedAt: '2026-12-05T08:00:10.000Z',
        devices: ['gw-1'],
        effects: ['cam-1', 'cam-2'],
        downNow: 3,
      }),
    ]);
    expect(res.json()[0].timeline).toBeUndefined();
    // Where its effect shows: what the cameras and their gateway feed, not the pipe network.
    expect(res.json()[0].indicators).toEqual([
      'availability.cctv',
      'availability.cctv-gateway',
      'L2.2.1',
      'L2.2.1.b4',
      'L2.2.2',
      'L2.2.2.b1',
    ]);
  });

  it('gives one incident with its timeline, and 404 for one that does not exist', async () => {
    const res = await as('vera', 'GET', `/api/incidents/${ID}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().timeline).toEqual([
      {
        at: '2026-12-05T08:00:10.000Z',
        kind: 'raised',
        devices: ['gw-1', 'cam-1', 'cam-2'],
        by: null,
        into: null,
      },
    ]);
    expect(res.json().alerts).toEqual([]);
    const missing = await as('vera', 'GET', '/api/incidents/no-such-incident');
    expect([missing.statusCode, missing.json().message]).toEqual([404, "no incident 'no-such-incident'"]);
  });
});

describe('POST /api/incidents/{id}/ack', () => {
  it('refuses a viewer, records an operator by name in the timeline and the audit trail, and refuses twice', async () => {
    expect((await as('vera', 'POST', `/api/incidents/${ID}/ack`)).statusCode).toBe(403);
    const res = await as('olga', 'POST', `/api/incidents/${ID}/ack`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ acknowledgedBy: 'olga', status: 'open' });
    expect(res.json().timeline.map((e: { kind: string; by: string | null }) => [e.kind, e.by])).toEqual([
      ['raised', null],
      ['acknowledged', 'olga'],
    ]);
    const again = await as('olga', 'POST', `/api/incidents/${ID}/ack`);
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/was acknowledged by olga at/);
    const audit = await as('ada', 'GET', '/api/audit?action=incident.ack&limit=1');
    expect(audit.json().entries[0]).toMatchObject({ actor: 'olga', role: 'operator', target: ID });
    expect([
      audit.json().entries[0].before.acknowledgedBy,
      audit.json().entries[0].after.acknowledgedBy,
    ]).toEqual([null, 'olga']);
  });
});

describe('GET /api/incidents?open=true', () => {
  it('keeps an old incident still open however many newer ones resolved', async () => {
    const open = api.incidents.get(ID)!;
    for (let k = 1; k <= 3; k++)
      api.incidentLog.record({
        ...open,
        id: `cam-${k}-later`,
        cause: 'device',
        subject: `cam-${k}`,
        raisedAt: open.raisedAt + k * 60_000,
        status: 'resolved',
        resolvedAt: open.raisedAt + k * 60_000 + 1000,
      });
    const ids = async (url: string) =>
      ((await as('vera', 'GET', url)).json() as { id: string }[]).map((i) => i.id);
    expect(await ids('/api/incidents?limit=2')).toEqual(['cam-3-later', 'cam-2-later']);
    expect(await ids('/api/incidents?open=true&limit=2')).toEqual([ID]);
    // The dashboard's question: the newest, and every open one besides.
    expect(await ids('/api/incidents?limit=2&withOpen=true')).toEqual(['cam-3-later', 'cam-2-later', ID]);
  });
});

describe('the incident routes', () => {
  it('are described in the OpenAPI document, generated from the same schemas', async () => {
    const doc = await api.app.inject({ url: '/docs/json' });
    expect(doc.statusCode, doc.body.slice(0, 300)).toBe(200);
    const paths = doc.json().paths;
    expect(Object.keys(paths['/api/incidents'])).toContain('get');
    expect(Object.keys(paths['/api/incidents/{id}'])).toContain('get');
    expect(Object.keys(paths['/api/incidents/{id}/ack'])).toContain('post');
  });
});
