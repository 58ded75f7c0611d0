// Every write over HTTP lands in the audit trail (issue 12 item 6) with who, from where, what and
// before/after, and never a secret; the trail pages and filters for admins, and its chain verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import type { AlertEvent } from '../../engine/alerts/alert-machine.js';
import { AlertService } from '../../engine/alerts/alert-service.js';
import { ChainVerifier } from '../../people/audit-chain.js';
import { at, TestCity } from '../support/city.js';
import { type FullApi, fullApi } from '../support/full-api.js';
import { tempDir } from '../support/tmp.js';

let api: FullApi;
const token: Record<string, string> = {};
let alertId: string;

beforeAll(async () => {
  // A real alert to acknowledge: a sensor lapses and availability stays below 60 % for a minute.
  const c = new TestCity({
    devices: [
      { id: 'sen-1', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
      { id: 'sen-2', kind: 'sensor', district: 'east', expectedIntervalS: 60 },
    ],
  });
  const events: AlertEvent[] = [];
  const threshold = {
    indicator: 'availability.sensor',
    scope: 'city',
    below: 60,
    clearAt: 60,
    forS: 60,
    severity: 'critical' as const,
  };
  const alerts = new AlertService([threshold], await SqliteAlertLog.open(tempDir()), (e) => events.push(e));
  alerts.attach(c.engine);
  c.heartbeat(0, 'sensor', 'sen-1');
  for (const t of [0, 60, 120, 180, 240]) c.heartbeat(t, 'sensor', 'sen-2');
  alerts.onSnapshot(c.engine.snapshot(at(241)));
  alertId = events[0].alert.alertId;

  api = await fullApi({ alerts });
  const by = { name: 'setup', role: null, via: 'cli' as const, address: null };
  for (const [name, role] of [
    ['olga', 'operator'],
    ['ed', 'engineer'],
    ['ada', 'admin'],
    ['vic', 'viewer'],
  ] as const) {
    await api.people.addLocal(name, role, by, 'correct horse battery staple');
    token[name] = (await api.people.issueToken(name, {}, by)).token;
  }
}, 60_000);
afterAll(() => api?.close());

const as = (name: string, method: string, url: string, payload?: unknown) =>
  api.app.inject({
    method: method as 'GET',
    url,
    headers: {
      authorization: `Bearer ${token[name]}`,
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });

async function lastEntry(action: string) {
  const res = await as('ada', 'GET', `/api/audit?action=${action}&limit=1`);
  expect(res.statusCode).toBe(200);
  return res.json().entries[0];
}

describe('the audit trail over HTTP', () => {
  it('records a device registered, changed, its secret rotated and deleted, by whom and from where', async () => {
    const created = await as('ed', 'POST', '/api/devices', {
      id: 'cam-9',
      kind: 'cctv',
      gatewayId: 'gw-1',
      assetId: 'plaza',
    });
    expect(created.statusCode).toBe(201);
    const secret = created.json().secret as string;
    const create = await lastEntry('device.create');
    expect(create).toMatchObject({
      actor: 'ed',
      role: 'engineer',
      via: 'token',
      address: '127.0.0.1',
      target: 'cam-9',
      before: null,
      outcome: 'ok',
    });
    expect(create.after).toMatchObject({ id: 'cam-9', kind: 'cctv', gatewayId: 'gw-1' });

    expect((await as('ed', 'PATCH', '/api/devices/cam-9', { hd: true })).statusCode).toBe(200);
    const change = await lastEntry('device.change');
    expect([change.before.hd, change.after.hd]).toEqual([false, true]);

    const rotated = await as('ed', 'POST', '/api/devices/cam-9/secret');
    expect(rotated.statusCode).toBe(200);
    const rotate = await lastEntry('device.rotate');
    expect(rotate).toMatchObject({ actor: 'ed', target: 'cam-9', after: { credential: 'rotated' } });

    expect((await as('ed', 'DELETE', '/api/devices/cam-9')).statusCode).toBe(204);
    const removed = await lastEntry('device.delete');
    expect(removed).toMatchObject({ target: 'cam-9', after: null });
    expect(removed.before).toMatchObject({ id: 'cam-9', hd: true });

    const all = JSON.stringify((await as('ada', 'GET', '/api/audit?limit=1000')).json());
    expect(all).not.toContain(secret);
    expect(all).not.toContain(rotated.json().secret);
  });

  it('records a threshold change and the scorecard weights with what they were before', async () => {
    const thresholds = [
      {
        indicator: 'availability.sensor',
        scope: 'city',
        below: 50,
        clearAt: 55,
        forS: 60,
        severity: 'major',
      },
    ];
    const put = await as('ada', 'PUT', '/api/thresholds', thresholds);
    expect(put.statusCode, put.body).toBe(200);
    const set = await lastEntry('threshold.set');
    expect(set).toMatchObject({
      actor: 'ada',
      role: 'admin',
      before: [],
      after: [{ indicator: 'availability.sensor', below: 50 }],
    });

    expect((await as('ada', 'PUT', '/api/scorecard/weights', { L1: 2 })).statusCode).toBe(200);
    expect((await as('ada', 'PUT', '/api/scorecard/weights', { L1: 3 })).statusCode).toBe(200);
    const weights = await lastEntry('scorecard.weights');
    expect([weights.before, weights.after]).toEqual([{ L1: 2 }, { L1: 3 }]);
  });

  it('records an acknowledgement as the operator who made it, and the alert names them', async () => {
    const res = await as('olga', 'POST', `/api/alerts/${encodeURIComponent(alertId)}/ack`);
    expect(res.statusCode).toBe(200);
    expect(res.json().acknowledgedBy).toBe('olga');
    const ack = await lastEntry('alert.ack');
    expect(ack).toMatchObject({ actor: 'olga', role: 'operator', target: alertId });
    expect([ack.before.acknowledgedBy, ack.after.acknowledgedBy]).toEqual([null, 'olga']);
  });

  it('records people and tokens changed over the API, without passwords or tokens', async () => {
    const added = await as('ada', 'POST', '/api/people', { name: 'newcomer', role: 'viewer' });
    expect(added.statusCode).toBe(201);
    const once = added.json().oneTimePassword as string;
    expect((await as('ada', 'PATCH', '/api/people/newcomer', { role: 'operator' })).statusCode).toBe(200);
    const issued = await as('ada', 'POST', '/api/tokens', {
      name: 'newcomer',
      expires: '30d',
      label: 'wall',
    });
    expect(issued.statusCode).toBe(201);
    expect(Date.parse(issued.json().expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await as('ada', 'DELETE', `/api/tokens/${issued.json().id}`)).statusCode).toBe(200);
    const entries = (await as('ada', 'GET', '/api/audit?target=newcomer&limit=10')).json().entries;
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'token.revoke',
      'token.issue',
      'person.role',
      'person.add',
    ]);
    expect(entries.every((e: { actor: string }) => e.actor === 'ada')).toBe(true);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(once);
    expect(text).not.toContain(issued.json().token);
  });

  it('keeps the last admin: demoting or disabling them is refused', async () => {
    await api.people.setRole('ada', 'admin', { name: 'setup', role: null, via: 'cli', address: null });
    const res = await as('ada', 'PATCH', '/api/people/ada', { disabled: true });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(/last enabled admin/);
  });

  it('pages newest first and filters by actor and by area; only admins read it', async () => {
    const first = (await as('ada', 'GET', '/api/audit?limit=3')).json();
    expect(first.entries).toHaveLength(3);
    const seqs = first.entries.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const second = (await as('ada', 'GET', `/api/audit?limit=3&before=${first.next}`)).json();
    expect(second.entries[0].seq).toBe(seqs[2] - 1);
    const eds = (await as('ada', 'GET', '/api/audit?actor=ed&action=device')).json().entries;
    expect(eds.map((e: { action: string }) => e.action)).toEqual([
      'device.delete',
      'device.rotate',
      'device.change',
      'device.create',
    ]);
    expect((await as('olga', 'GET', '/api/audit')).statusCode).toBe(403);
  });

  it('is one unbroken chain', async () => {
    const v = new ChainVerifier();
    for await (const e of api.people.store.auditAll()) v.add(e);
    const result = v.result();
    expect(result.ok).toBe(true);
    expect(result.entries).toBeGreaterThan(15);
  });
});
