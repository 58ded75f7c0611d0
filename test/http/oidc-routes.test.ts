// OpenID Connect sign-in through the HTTP routes (issue 12 item 3), against a real OpenID provider: the
// sign-in page offers it, /auth/oidc/login sends the browser there with the flow in a cookie, the callback
// starts a session for the person with the role their groups map to, and a refusal says why on the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcSignIn } from '../../people/oidc.js';
import { type FullApi, fullApi } from '../support/full-api.js';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';

const CALLBACK = 'http://127.0.0.1:8080/auth/oidc/callback';
let provider: TestOidcProvider;
let api: FullApi;

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUri: CALLBACK });
  provider.people.set('u-eve', { sub: 'u-eve', preferred_username: 'eve', groups: ['field-engineers'] });
  provider.people.set('u-tom', { sub: 'u-tom', preferred_username: 'tom', groups: ['visitors'] });
  const oidc = new OidcSignIn({
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri: CALLBACK,
    roles: { engineer: ['field-engineers'], viewer: ['staff'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
  });
  api = await fullApi({ oidc: { oidc, label: 'City SSO', redirectUri: CALLBACK } });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await provider?.close();
});

const setCookies = (h: string | string[] | undefined) => [h ?? []].flat();
const cookie = (h: string | string[] | undefined, name: string) =>
  new RegExp(`${name}=([^;]*)`).exec(setCookies(h).join('\n'))?.[1] ?? '';

/** The browser's round trip: our login route, the provider, our callback. */
async function signIn(as: string) {
  const login = await api.app.inject({ method: 'GET', url: '/auth/oidc/login?next=%2Freport' });
  expect(login.statusCode).toBe(302);
  const pending = cookie(login.headers['set-cookie'], 'cg_oidc');
  expect(String(login.headers['set-cookie'])).toMatch(/Path=\/auth\/oidc/);
  const back = await provider.authorize(String(login.headers.location), { as });
  return api.app.inject({
    method: 'GET',
    url: `/auth/oidc/callback${back.search}`,
    headers: { cookie: `cg_oidc=${pending}` },
  });
}

describe('OpenID Connect sign-in over HTTP', () => {
  it('is offered on the sign-in page', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/signin?next=%2Freport' });
    expect(page.body).toContain('href="/auth/oidc/login?next=%2Freport">Sign in with City SSO</a>');
  });

  it('signs a person in with the role their group maps to, and sends them where they were going', async () => {
    const done = await signIn('u-eve');
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/report');
    expect(setCookies(done.headers['set-cookie']).some((c) => /^cg_oidc=;/.test(c))).toBe(true);
    const session = cookie(done.headers['set-cookie'], 'cg_session');
    const me = await api.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: `cg_session=${session}` },
    });
    expect(me.json()).toMatchObject({ name: 'eve', role: 'engineer', via: 'session' });
    expect((await api.people.account('eve'))?.source).toBe('oidc');
  });

  it('refuses a person whose groups map to no role, saying so on the sign-in page', async () => {
    const done = await signIn('u-tom');
    expect(done.statusCode).toBe(403);
    expect(done.body).toMatch(/none of the groups citygauge maps to a role/);
    expect(String(done.headers['set-cookie'])).not.toMatch(/cg_session=[^;]/);
    const [entry] = await api.people.store.auditPage({ action: 'signin.refused', limit: 1 });
    expect(entry).toMatchObject({ actor: 'tom', via: 'oidc', outcome: 'refused' });
  });

  it('refuses a callback without the flow it belongs to', async () => {
    const login = await api.app.inject({ method: 'GET', url: '/auth/oidc/login' });
    const back = await provider.authorize(String(login.headers.location), { as: 'u-eve' });
    const done = await api.app.inject({ method: 'GET', url: `/auth/oidc/callback${back.search}` });
    expect(done.statusCode).toBe(403);
    expect(done.body).toMatch(/sign in again/);
  });
});
