// `--anonymous-read` (buildApi's anonymousRead): a city that publishes its figures lets anyone read, as a
// viewer, without signing in; every write still needs a person with the role, and a caller with nothing
// is told to sign in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullApi, fullApi } from '../support/full-api.js';
import { personWithToken } from '../support/people.js';

let api: FullApi;
let operator: string;

beforeAll(async () => {
  api = await fullApi({ anonymousRead: true });
  operator = await personWithToken(api.people, 'ops-1', 'operator');
});
afterAll(() => api?.close());

const call = (method: 'GET' | 'POST', url: string, token?: string) =>
  api.app.inject({
    method,
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

describe('anonymous reading', () => {
  it('lets anyone read the figures and the report, as a viewer', async () => {
    const indicators = await call('GET', '/api/indicators');
    expect(indicators.statusCode).toBe(200);
    expect(indicators.json().length).toBeGreaterThan(0);
    expect((await call('GET', '/api/city')).json()).toMatchObject({ name: 'Fixture Town' });
    expect((await call('GET', '/report')).statusCode).toBe(200);
    expect((await call('GET', '/api/me')).json()).toMatchObject({ name: 'anonymous', role: 'viewer' });
  });

  it('keeps what only an admin may read behind the admin role', async () => {
    expect((await call('GET', '/api/audit')).statusCode).toBe(401);
    expect((await call('GET', '/api/audit', operator)).statusCode).toBe(403);
    expect((await call('GET', '/api/audit', api.adminToken)).statusCode).toBe(200);
  });

  it('tells a writer with nothing to sign in, and lets a person with the role write', async () => {
    const anonymous = await call('POST', '/api/alerts/no-such-alert/ack');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().message).toMatch(/needs an? operator: sign in at \/signin/);
    // Past the access check: the route itself answers that there is no such alert.
    expect((await call('POST', '/api/alerts/no-such-alert/ack', operator)).statusCode).toBe(404);
  });

  it('still refuses a token that is not one, rather than reading it as anonymous', async () => {
    expect((await call('GET', '/api/indicators', 'cgt_0123456789abcdef_wrong')).statusCode).toBe(401);
  });
});
