// Every HTTP route × every kind of caller (issue 12 item 1). The routes come from the server as it adds
// them, and each must have a row in EXPECTED: a route added without deciding who may call it fails here
// (and the server refuses to start with a route that declares no access at all, http/access.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERSON_HEADER } from '../../http/identity.js';
import { OidcSignIn } from '../../people/oidc.js';
import { type Access, allows, ROLES, type Role } from '../../people/roles.js';
import { EMBEDDED_RED_SUBJECT } from '../../registry/credentials.js';
import { type FullApi, fullApi } from '../support/full-api.js';

/** Who may call each route: the table a reviewer reads to know the doors. */
const EXPECTED: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /metrics': 'public',
  'GET /asyncapi.json': 'public',
  'GET /signin': 'public',
  'POST /signin': 'public',
  'GET /kiosk': 'public',
  'POST /kiosk': 'public',
  'GET /auth/oidc/login': 'public',
  'GET /auth/oidc/callback': 'public',
  'GET /signout': 'viewer',
  'POST /signout': 'viewer',
  'GET /account/password': 'viewer',
  'POST /account/password': 'viewer',
  'GET /api/me': 'viewer',
  'GET /api/indicators': 'viewer',
  'GET /api/indicators/:id': 'viewer',
  'GET /api/indicators/:id/history': 'viewer',
  'GET /api/indicators/:id/changes': 'viewer',
  'GET /api/city': 'viewer',
  'GET /api/districts': 'viewer',
  'GET /api/sources/gtfs-rt': 'viewer',
  'GET /api/devices': 'viewer',
  'GET /api/devices/positions': 'viewer',
  'GET /api/devices/down': 'viewer',
  'GET /api/devices/map': 'viewer',
  'GET /api/devices/:id': 'viewer',
  'GET /api/devices/:id/status': 'viewer',
  'GET /api/alerts': 'viewer',
  'GET /api/incidents': 'viewer',
  'GET /api/incidents/:id': 'viewer',
  'GET /api/thresholds': 'viewer',
  'GET /api/objectives': 'viewer',
  'GET /api/maintenance': 'viewer',
  'GET /api/scorecard': 'viewer',
  'GET /api/scorecard/indicators': 'viewer',
  'GET /api/scorecard/inputs': 'viewer',
  'GET /api/scorecard/weights': 'viewer',
  'GET /api/scorecard/maturity-bands': 'viewer',
  'GET /api/scorecard/self-assessments': 'viewer',
  'GET /api/scorecard/composites': 'viewer',
  'GET /report': 'viewer',
  'POST /api/alerts/:alertId/ack': 'operator',
  'POST /api/incidents/:id/ack': 'operator',
  'POST /api/maintenance': 'operator',
  'PATCH /api/maintenance/:id': 'operator',
  'DELETE /api/maintenance/:id': 'operator',
  'POST /api/devices': 'engineer',
  'PATCH /api/devices/:id': 'engineer',
  'DELETE /api/devices/:id': 'engineer',
  'POST /api/devices/:id/secret': 'engineer',
  'POST /api/inventory': 'engineer',
  'PUT /api/thresholds': 'admin',
  'PUT /api/objectives': 'admin',
  'POST /api/scorecard/inputs': 'admin',
  'PUT /api/scorecard/weights': 'admin',
  'PUT /api/scorecard/maturity-bands': 'admin',
  'POST /api/scorecard/self-assessments': 'admin',
  'PUT /api/scorecard/composites/:id': 'admin',
  'POST /api/scorecard/composites/:id/values': 'admin',
  'GET /api/people': 'admin',
  'POST /api/people': 'admin',
  'PATCH /api/people/:name': 'admin',
  'POST /api/people/:name/reset': 'admin',
  'GET /api/tokens': 'admin',
  'POST /api/tokens': 'admin',
  'DELETE /api/tokens/:id': 'admin',
  'GET /api/audit': 'admin',
};

/** The API's documentation is public, whatever swagger-ui adds under /docs. */
const expectedFor = (method: string, url: string): Access | undefined =>
  url === '/docs' || url.startsWith('/docs/')
    ? 'public'
    : EXPECTED[`${method === 'HEAD' ? 'GET' : method} ${url}`];

let api: FullApi;
const tokens = {} as Record<Role, string>;
let dashboardToken: string;

beforeAll(async () => {
  // OpenID Connect configured, so its routes are in the sweep too; discovery is lazy, so no provider is needed.
  const callback = 'http://127.0.0.1:8080/auth/oidc/callback';
  const oidc = new OidcSignIn({
    issuer: 'http://127.0.0.1:9/',
    clientId: 'citygauge',
    redirectUri: callback,
    roles: { viewer: ['staff'] },
  });
  api = await fullApi({ oidc: { oidc, label: 'City SSO', redirectUri: callback } });
  const by = { name: 'test', role: null, via: 'cli' as const, address: null };
  for (const role of ROLES) {
    await api.people.addLocal(`${role}-1`, role, by, `a long password for ${role}s`);
    tokens[role] = (await api.people.issueToken(`${role}-1`, {}, by)).token;
  }
  dashboardToken = api.registry.credentials.issue(EMBEDDED_RED_SUBJECT, 'service');
}, 60_000);
afterAll(() => api?.close());

const path = (url: string) =>
  url
    .replace(':alertId', 'no-such-alert')
    .replace(':name', 'nobody')
    .replace(':id/history', 'L1.1.1/history')
    .replace(':id', 'cam-1')
    .replace('*', 'index.html');

async function call(method: string, url: string, headers: Record<string, string>) {
  const write = method !== 'GET' && method !== 'HEAD';
  const res = await api.app.inject({
    method: method as 'GET',
    url: path(url),
    headers: { ...headers, ...(write ? { 'content-type': 'application/json' } : {}) },
    ...(write ? { payload: '{}' } : {}),
  });
  return res.statusCode;
}

describe('the role matrix', () => {
  it('has a rule for every route the server has, and every rule names a route it has', () => {
    const served = api.routes.filter((r) => r.method !== 'OPTIONS');
    const without = served
      .filter((r) => expectedFor(r.method, r.url) === undefined)
      .map((r) => `${r.method} ${r.url}`);
    expect(without, 'routes with no row in EXPECTED: decide who may call them').toEqual([]);
    const known = new Set(served.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(EXPECTED).filter((k) => !known.has(k))).toEqual([]);
  });

  it('answers every route for every role as the table says: 401 without a caller, 403 below the role', async () => {
    const wrong: string[] = [];
    for (const { method, url } of api.routes) {
      if (method === 'OPTIONS') continue;
      const need = expectedFor(method, url)!;
      const anonymous = await call(method, url, {});
      // A public route answers everyone alike (the OpenID callback's 403 is its answer, not a door).
      if (need === 'public' ? anonymous === 401 : anonymous !== 401)
        wrong.push(`${method} ${url} without a caller: ${anonymous}`);
      for (const role of ROLES) {
        const status = await call(method, url, { authorization: `Bearer ${tokens[role]}` });
        const fits =
          need === 'public'
            ? status === anonymous
            : allows(role, need)
              ? status !== 401 && status !== 403
              : status === 403;
        if (!fits) wrong.push(`${method} ${url} as ${role}: ${status} (needs ${need})`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('gives the break-glass admin token the admin role', async () => {
    expect(await call('GET', '/api/people', { authorization: `Bearer ${api.adminToken}` })).toBe(200);
  });

  it('lets the dashboard read as a viewer, and act with the role of the person it names', async () => {
    const dashboard = { authorization: `Bearer ${dashboardToken}` };
    expect(await call('GET', '/api/alerts', dashboard)).toBe(200);
    expect(await call('POST', '/api/alerts/:alertId/ack', dashboard)).toBe(403);
    expect(
      await call('POST', '/api/alerts/:alertId/ack', { ...dashboard, [PERSON_HEADER]: 'operator-1' }),
    ).toBe(404);
    expect(
      await call('POST', '/api/devices/:id/secret', { ...dashboard, [PERSON_HEADER]: 'operator-1' }),
    ).toBe(403);
    expect(await call('GET', '/api/alerts', { ...dashboard, [PERSON_HEADER]: 'no-such-person' })).toBe(403);
  });

  it('refuses a token that is not one: mistyped, revoked, or of a disabled person', async () => {
    const by = { name: 'test', role: null, via: 'cli' as const, address: null };
    expect(await call('GET', '/api/city', { authorization: `Bearer ${tokens.viewer}x` })).toBe(401);
    await api.people.addLocal('leaver', 'engineer', by, 'correct horse battery staple');
    const issued = await api.people.issueToken('leaver', {}, by);
    const leaver = { authorization: `Bearer ${issued.token}` };
    expect(await call('GET', '/api/city', leaver)).toBe(200);
    await api.people.setDisabled('leaver', true, by);
    expect(await call('GET', '/api/city', leaver)).toBe(401);
    await api.people.setDisabled('leaver', false, by);
    await api.people.revokeToken(issued.record.id, by);
    expect(await call('GET', '/api/city', leaver)).toBe(401);
  });
});
