// Signing in and out over HTTP (issue 12 item 2): the sign-in form, a one-time password replaced at the
// first sign-in, the session cookie's attributes and its rotation, CSRF on form posts and page writes,
// a sign-in posted from another site, throttling, and a signed-out browser sent to the sign-in page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullApi, fullApi } from '../support/full-api.js';

let api: FullApi;
let once: string;
const PASSWORD = 'a much better password';

beforeAll(async () => {
  api = await fullApi();
  const by = { name: 'setup', role: null, via: 'cli' as const, address: null };
  once = (await api.people.addLocal('ada', 'admin', by)).oneTimePassword!;
}, 60_000);
afterAll(() => api?.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const cookieOf = (setCookie: string | string[] | undefined) =>
  /cg_session=([^;]*)/.exec([setCookie ?? []].flat().join('\n'))?.[1] ?? '';

async function signIn(
  name: string,
  password: string,
  headers: Record<string, string> = {},
  from = '127.0.0.1',
) {
  return api.app.inject({
    method: 'POST',
    remoteAddress: from,
    url: '/signin',
    headers: { ...FORM, ...headers },
    payload: form({ name, password, next: '/report' }),
  });
}

const me = (cookie: string) =>
  api.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: `cg_session=${cookie}` } });

describe('signing in', () => {
  it('sends a signed-out browser to the sign-in page and keeps where it was going', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/report', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/signin?next=%2Freport');
    const page = await api.app.inject({ method: 'GET', url: '/signin?next=%2Freport' });
    expect(page.body).toContain('<form method="post" action="/signin">');
    expect(page.body).toContain('value="/report"');
  });

  it('refuses a wrong password with the page and a 401, and records it', async () => {
    const res = await signIn('ada', 'not the password');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('wrong account name or password');
    expect(res.headers['set-cookie']).toBeUndefined();
    const [entry] = await api.people.store.auditPage({ action: 'signin.refused', limit: 1 });
    expect(entry).toMatchObject({ actor: 'ada', outcome: 'refused', address: '127.0.0.1' });
  });

  it('refuses a sign-in posted from another site before looking at the password', async () => {
    const res = await signIn('ada', once, { origin: 'https://evil.example' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    // A browser that says the form came from another site, though it sent no Origin.
    const unnamed = await signIn('ada', once, { 'sec-fetch-site': 'cross-site' });
    expect(unnamed.statusCode).toBe(403);
    expect(unnamed.body).toContain('This sign-in came from another site.');
  });

  it('takes a one-time password only to choose a new one, then rotates the session', async () => {
    const res = await signIn('ada', once);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/password?next=%2Freport');
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Secure/); // plain HTTP here; Secure under HTTPS
    const first = cookieOf(res.headers['set-cookie']);
    // Nothing but the new password until it is chosen.
    const blocked = await api.app.inject({
      method: 'GET',
      url: '/api/city',
      headers: { cookie: `cg_session=${first}` },
    });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().message).toMatch(/choose a new password first/);
    const csrf = (await me(first)).json().csrf as string;
    // Without the form's CSRF token the change is refused.
    const forged = await api.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { ...FORM, cookie: `cg_session=${first}` },
      payload: form({ current: once, password: PASSWORD, again: PASSWORD, next: '/report' }),
    });
    expect(forged.statusCode).toBe(403);
    const changed = await api.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { ...FORM, cookie: `cg_session=${first}` },
      payload: form({ current: once, password: PASSWORD, again: PASSWORD, next: '/report', _csrf: csrf }),
    });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe('/report');
    const second = cookieOf(changed.headers['set-cookie']);
    expect(second).not.toBe(first);
    expect((await me(first)).statusCode).toBe(401);
    expect((await me(second)).json()).toMatchObject({ name: 'ada', role: 'admin', via: 'session' });
    expect((await signIn('ada', once)).statusCode).toBe(401);
  });

  it('never keeps the cookie a browser brings to the sign-in (session fixation)', async () => {
    const planted = cookieOf((await signIn('ada', PASSWORD)).headers['set-cookie']);
    const res = await signIn('ada', PASSWORD, { cookie: `cg_session=${planted}` });
    const fresh = cookieOf(res.headers['set-cookie']);
    expect(fresh).not.toBe(planted);
    expect((await me(planted)).statusCode).toBe(401);
    expect((await me(fresh)).statusCode).toBe(200);
  });

  it('asks a page write made with the session for its CSRF token', async () => {
    const cookie = cookieOf((await signIn('ada', PASSWORD)).headers['set-cookie']);
    const csrf = (await me(cookie)).json().csrf as string;
    const put = (headers: Record<string, string>) =>
      api.app.inject({
        method: 'PUT',
        url: '/api/thresholds',
        headers: { cookie: `cg_session=${cookie}`, 'content-type': 'application/json', ...headers },
        payload: '[]',
      });
    expect((await put({})).statusCode).toBe(403);
    expect((await put({ 'x-csrf-token': 'guessed' })).statusCode).toBe(403);
    expect((await put({ 'x-csrf-token': csrf })).statusCode).toBe(200);
  });

  it('signs out: the cookie is cleared and the session is gone', async () => {
    const cookie = cookieOf((await signIn('ada', PASSWORD)).headers['set-cookie']);
    const page = await api.app.inject({
      method: 'GET',
      url: '/signout',
      headers: { cookie: `cg_session=${cookie}` },
    });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const out = await api.app.inject({
      method: 'POST',
      url: '/signout',
      headers: { ...FORM, cookie: `cg_session=${cookie}` },
      payload: form({ _csrf: csrf }),
    });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/signin');
    expect(String(out.headers['set-cookie'])).toMatch(/cg_session=;.*Max-Age=0/);
    expect((await me(cookie)).statusCode).toBe(401);
    const [entry] = await api.people.store.auditPage({ action: 'signout', limit: 1 });
    expect(entry).toMatchObject({ actor: 'ada', via: 'session' });
  });

  it('holds an account off after five wrong passwords in a minute, even with the right one', async () => {
    const by = { name: 'setup', role: null, via: 'cli' as const, address: null };
    await api.people.addLocal('bo', 'viewer', by, PASSWORD);
    for (let i = 0; i < 5; i++)
      expect((await signIn('bo', `wrong ${i}`, {}, '10.0.0.1')).statusCode).toBe(401);
    // From another address too: the account is held, not only the address.
    const held = await signIn('bo', PASSWORD, {}, '10.0.0.2');
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
    expect(held.body).toMatch(/too many wrong passwords/);
    // Counted for Prometheus: refused sign-ins can page someone.
    const metrics = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
    const refused = /citygauge_audit_entries_total\{action="signin.refused",outcome="refused"\} (\d+)/.exec(
      metrics,
    );
    expect(Number(refused?.[1])).toBeGreaterThanOrEqual(7);
  });
});
