// Issue 14 item 2 through the API: an operator plans a window, a viewer may not, bad windows are refused
// clearly, the indicator says how many devices it left out, and the audit trail says who did what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../people/roles.js';
import { type FullApi, fullApi } from '../support/full-api.js';

let api: FullApi;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  api = await fullApi();
  const by = { name: 'test', role: null, via: 'cli' as const, address: null };
  for (const role of ROLES) {
    await api.people.addLocal(`${role}-1`, role, by, `a long password for ${role}s`);
    tokens[role] = (await api.people.issueToken(`${role}-1`, {}, by)).token;
  }
}, 60_000);
afterAll(() => api?.close());

const as = (role: Role) => ({ authorization: `Bearer ${tokens[role]}` });
const iso = (t: number) => new Date(t).toISOString();

/** The availability of cameras as the API shows it, the engine's clock moved to `at` first. */
async function cameras(at: number) {
  api.engine().snapshot(at);
  const res = await api.app.inject({ url: '/api/indicators/availability.cctv', headers: as('viewer') });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('maintenance windows through the API', () => {
  it('an operator plans one; a viewer may not; it shows in the indicator, the list and the audit trail', async () => {
    const now = Date.now();
    const body = {
      start: iso(now - 60_000),
      end: iso(now + 3_600_000),
      reason: 'replace the lens of cam-3',
      devices: ['cam-3'],
    };
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/maintenance',
      headers: as('viewer'),
      payload: body,
    });
    expect(refused.statusCode).toBe(403);
    expect(await cameras(now)).toMatchObject({ excluded: { maintenance: 0 } });

    const made = await api.app.inject({
      method: 'POST',
      url: '/api/maintenance',
      headers: as('operator'),
      payload: body,
    });
    expect(made.statusCode, made.body).toBe(201);
    const w = made.json();
    expect(w).toMatchObject({ status: 'active', by: 'operator-1', devices: ['cam-3'], deviceCount: 1 });

    const inside = await cameras(Date.now());
    expect(inside).toMatchObject({ excluded: { maintenance: 1 } });
    const registered = [...api.registry.inventory.devices.values()].filter((d) => d.kind === 'cctv').length;
    expect(inside.denominator).toBe(registered - 1);
    expect(inside.gap.devices.map((d: { id: string }) => d.id)).not.toContain('cam-3');
    // /metrics: the camera is in maintenance, and still registered.
    const metrics = (await api.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('citygauge_devices_in_maintenance{kind="cctv"} 1\n');
    expect(metrics).toContain(`citygauge_devices_registered{kind="cctv"} ${registered}\n`);

    const listed = await api.app.inject({
      url: '/api/maintenance?status=active&device=cam-3',
      headers: as('viewer'),
    });
    expect(listed.json().map((x: { id: string }) => x.id)).toEqual([w.id]);
    const other = await api.app.inject({ url: '/api/maintenance?device=cam-1', headers: as('viewer') });
    expect(other.json()).toEqual([]);

    const audit = await api.app.inject({ url: '/api/audit?action=maintenance', headers: as('admin') });
    expect(audit.json().entries).toMatchObject([
      { actor: 'operator-1', role: 'operator', action: 'maintenance.plan', target: w.id, outcome: 'ok' },
    ]);
    expect(audit.json().entries[0].after).toMatchObject({ devices: ['cam-3'], reason: body.reason });

    // Ending it early gives the camera back to the denominator at once.
    const ended = await api.app.inject({
      method: 'DELETE',
      url: `/api/maintenance/${w.id}`,
      headers: as('operator'),
    });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toMatchObject({ status: 'past' });
    expect(await cameras(Date.now() + 1)).toMatchObject({
      excluded: { maintenance: 0 },
      denominator: registered,
    });
    expect((await api.app.inject({ url: '/metrics' })).body).toContain(
      'citygauge_devices_in_maintenance{kind="cctv"} 0\n',
    );
    const again = await api.app.inject({
      method: 'DELETE',
      url: `/api/maintenance/${w.id}`,
      headers: as('operator'),
    });
    expect(again.statusCode).toBe(409);
  });

  it('refuses unknown devices, assets and districts, and an end not after its start, saying which', async () => {
    const now = Date.now();
    const post = (payload: object) =>
      api.app.inject({ method: 'POST', url: '/api/maintenance', headers: as('operator'), payload });
    const unknown = await post({
      start: iso(now + 1000),
      end: iso(now + 2000),
      reason: 'x',
      devices: ['cam-404'],
      assets: ['nowhere'],
      districts: ['atlantis'],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('unknown devices: cam-404');
    expect(unknown.json().message).toContain('unknown assets: nowhere');
    expect(unknown.json().message).toContain('unknown districts: atlantis');
    const backwards = await post({
      start: iso(now + 2000),
      end: iso(now + 2000),
      reason: 'x',
      devices: ['cam-1'],
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().message).toMatch(/end .* must be after start/);
    const nothing = await post({ start: iso(now + 1000), end: iso(now + 2000), reason: 'x' });
    expect(nothing.json().message).toContain('name at least one of devices, assets or districts');
    const notATime = await post({ start: 'tomorrow', end: iso(now + 2000), reason: 'x', devices: ['cam-1'] });
    expect(notATime.statusCode).toBe(400);
    // Epoch milliseconds past any date a person could read are refused, and the list still answers.
    const past9999 = await post({ start: now, end: 9_000_000_000_000_000, reason: 'x', devices: ['cam-1'] });
    expect(past9999.statusCode).toBe(400);
    expect(past9999.json().message).toContain('up to the year 9999');
    const list = await api.app.inject({ method: 'GET', url: '/api/maintenance', headers: as('operator') });
    expect(list.statusCode).toBe(200);
  });

  it('is described in the OpenAPI document, generated from the same schemas', async () => {
    const doc = await api.app.inject({ url: '/docs/json' });
    expect(doc.statusCode, doc.body.slice(0, 300)).toBe(200);
    const paths = doc.json().paths;
    expect(Object.keys(paths['/api/maintenance'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(paths['/api/maintenance/{id}'])).toEqual(expect.arrayContaining(['patch', 'delete']));
  });

  it('changes and cancels a planned window, kept in the list as cancelled', async () => {
    const now = Date.now();
    const made = await api.app.inject({
      method: 'POST',
      url: '/api/maintenance',
      headers: as('operator'),
      payload: {
        start: iso(now + 3_600_000),
        end: iso(now + 7_200_000),
        reason: 'repaint',
        assets: ['plaza'],
      },
    });
    const id = made.json().id;
    expect(made.json()).toMatchObject({ status: 'planned', deviceCount: 1 });
    const changed = await api.app.inject({
      method: 'PATCH',
      url: `/api/maintenance/${id}`,
      headers: as('operator'),
      payload: { end: iso(now + 10_800_000) },
    });
    expect(changed.json()).toMatchObject({ end: iso(now + 10_800_000), reason: 'repaint' });
    const cancelled = await api.app.inject({
      method: 'DELETE',
      url: `/api/maintenance/${id}`,
      headers: as('operator'),
    });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    const listed = await api.app.inject({ url: '/api/maintenance?status=cancelled', headers: as('viewer') });
    expect(listed.json().map((w: { id: string }) => w.id)).toContain(id);
    expect(api.maintenance.get(id)?.cancelledAt).toBeDefined();
  });
});
