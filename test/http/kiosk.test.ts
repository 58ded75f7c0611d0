// A video wall's sign-in (people/kiosk.ts): a viewer's personal token, taken once at /kiosk, kept in a
// cookie for the dashboard only, and honoured by the dashboard's check for as long as the token holds:
// revoked, expired, its account disabled or given another role, the wall is nobody again. A token that
// could act (an operator's) is refused, wrong tokens are counted per address, and every sign-in is audited.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoIsOf } from '../../http/identity.js';
import { type FullApi, fullApi } from '../support/full-api.js';

let api: FullApi;
const by = { name: 'setup', role: null, via: 'cli' as const, address: null };
const DAY = 86_400_000;

beforeAll(async () => {
  api = await fullApi();
  await api.people.addLocal('wall', 'viewer', by);
  await api.people.addLocal('olga', 'operator', by, 'a long and private pass phrase');
}, 60_000);
afterAll(() => api?.close());

const kiosk = (query: string, from = '127.0.0.1') =>
  api.app.inject({ method: 'GET', url: `/kiosk${query}`, remoteAddress: from });
const kioskCookieOf = (setCookie: string | string[] | undefined) =>
  [setCookie ?? []].flat().find((c) => c.startsWith('cg_kiosk='));
/** The dashboard's question, as Node-RED asks it, for a browser sending `cookie`. */
const whoIs = (cookie: string) => whoIsOf(api.people)({ headers: { cookie } } as IncomingMessage);

describe('a wall signs in with a viewer’s token', () => {
  it('keeps the token in a dashboard-only cookie for as long as the token lives, and goes on without it', async () => {
    const { token } = await api.people.issueToken('wall', { expiresInMs: 30 * DAY, label: 'ops wall' }, by);
    const res = await kiosk(`?token=${token}`, '10.0.0.7');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/dashboard/wall');
    expect(res.headers['cache-control']).toBe('no-store');
    const set = kioskCookieOf(res.headers['set-cookie'])!;
    expect(set).toContain(`cg_kiosk=${token}`);
    expect(set).toMatch(/Path=\/dashboard(;|$)/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    // 30 days, to the second (the token's own expiry), not a session's 12 hours.
    expect(Number(/Max-Age=(\d+)/.exec(set)?.[1])).toBeGreaterThan(30 * 86_400 - 60);
    expect(Number(/Max-Age=(\d+)/.exec(set)?.[1])).toBeLessThanOrEqual(30 * 86_400);
    expect(await whoIs(`cg_kiosk=${token}`)).toEqual({ name: 'wall', role: 'viewer' });
    const [entry] = await api.people.store.auditPage({ action: 'signin', limit: 1 });
    expect(entry).toMatchObject({ actor: 'wall', role: 'viewer', via: 'token', address: '10.0.0.7' });
    expect(entry.after).toMatchObject({ method: 'kiosk' });
  });

  it('goes on to the dashboard page asked for, and nowhere outside the dashboard', async () => {
    const { token } = await api.people.issueToken('wall', {}, by);
    expect((await kiosk(`?token=${token}&next=%2Fdashboard%2Fcity`)).headers.location).toBe(
      '/dashboard/city',
    );
    expect((await kiosk(`?token=${token}&next=%2Fapi%2Fcity`)).headers.location).toBe('/dashboard/wall');
    expect((await kiosk(`?token=${token}&next=https%3A%2F%2Fevil.example`)).headers.location).toBe(
      '/dashboard/wall',
    );
    // A token that never expires: the browser's longest cookie, 400 days.
    const set = kioskCookieOf((await kiosk(`?token=${token}`)).headers['set-cookie'])!;
    expect(Number(/Max-Age=(\d+)/.exec(set)?.[1])).toBe(400 * 86_400);
  });

  it('refuses a token that could act, naming the fix, and sets no cookie', async () => {
    const { token } = await api.people.issueToken('olga', {}, by);
    const res = await kiosk(`?token=${token}`);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('a wall signs in with a viewer&#39;s token');
    expect(res.body).toContain('citygauge users add wall --role viewer');
    expect(kioskCookieOf(res.headers['set-cookie'])).toBeUndefined();
    // Nor does a cookie carrying it make the dashboard's browser anybody.
    expect(await whoIs(`cg_kiosk=${token}`)).toBeUndefined();
    const [entry] = await api.people.store.auditPage({ action: 'signin.refused', limit: 1 });
    expect(entry).toMatchObject({ actor: 'olga', outcome: 'refused' });
  });

  it('ends the wall’s sign-in when its token is revoked, or its account disabled or promoted', async () => {
    const { token, record } = await api.people.issueToken('wall', {}, by);
    const cookie = `cg_kiosk=${token}`;
    expect(await whoIs(cookie)).toEqual({ name: 'wall', role: 'viewer' });
    await api.people.setRole('wall', 'operator', by);
    expect(await whoIs(cookie)).toBeUndefined();
    await api.people.setRole('wall', 'viewer', by);
    await api.people.setDisabled('wall', true, by);
    expect(await whoIs(cookie)).toBeUndefined();
    await api.people.setDisabled('wall', false, by);
    expect(await whoIs(cookie)).toEqual({ name: 'wall', role: 'viewer' });
    await api.people.revokeToken(record.id, by);
    expect(await whoIs(cookie)).toBeUndefined();
  });

  it('lets a person’s own session come first on a browser that has both', async () => {
    const { token } = await api.people.issueToken('wall', {}, by);
    const { cookie } = await api.people.startSession('olga', 'local', null);
    expect(await whoIs(`cg_kiosk=${token}; cg_session=${cookie}`)).toEqual({
      name: 'olga',
      role: 'operator',
    });
    // A person who must still choose a password is nobody yet, wall or no wall: the sign-in page sends them on.
    const { oneTimePassword } = await api.people.addLocal('newcomer', 'viewer', by);
    expect(oneTimePassword).toBeDefined();
    const fresh = await api.people.startSession('newcomer', 'local', null);
    expect(await whoIs(`cg_kiosk=${token}; cg_session=${fresh.cookie}`)).toBeUndefined();
  });

  it('shows how to sign a wall in when no token is given', async () => {
    const res = await kiosk('');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('citygauge tokens issue wall');
    expect(res.body).toContain('<form method="post" action="/kiosk">');
  });

  it('takes the token from the form too, so it need not be in any URL', async () => {
    const { token } = await api.people.issueToken('wall', {}, by);
    const res = await api.app.inject({
      method: 'POST',
      url: '/kiosk',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token, next: '/dashboard/wall?every=30' }).toString(),
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/dashboard/wall?every=30');
    expect(kioskCookieOf(res.headers['set-cookie'])).toContain(`cg_kiosk=${token}`);
  });

  it('refuses a sign-in another site’s page sent, before looking at the token or counting it', async () => {
    const { token } = await api.people.issueToken('wall', {}, by);
    const before = (await api.people.store.auditPage({ limit: 1 }))[0]?.seq;
    const viaImage = await api.app.inject({
      method: 'GET',
      url: `/kiosk?token=${token}`,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(viaImage.statusCode).toBe(403);
    expect(viaImage.body).toContain('This sign-in came from another site.');
    expect(kioskCookieOf(viaImage.headers['set-cookie'])).toBeUndefined();
    const viaForm = await api.app.inject({
      method: 'POST',
      url: '/kiosk',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: new URLSearchParams({ token }).toString(),
    });
    expect(viaForm.statusCode).toBe(403);
    expect(kioskCookieOf(viaForm.headers['set-cookie'])).toBeUndefined();
    // Nothing was audited: the token was never looked at.
    expect((await api.people.store.auditPage({ limit: 1 }))[0]?.seq).toBe(before);
  });

  it('refuses wrong tokens, then answers 429 to that address alone until its minute is over', async () => {
    const wrong = 'cgt_nosuchid_notthesecret';
    const first = await kiosk(`?token=${wrong}`, '10.0.0.99');
    expect(first.statusCode).toBe(401);
    expect(first.body).toContain('the token is not valid');
    for (let i = 0; i < 12; i++) await kiosk(`?token=${wrong}`, '10.0.0.99');
    const { token } = await api.people.issueToken('wall', {}, by);
    const limited = await kiosk(`?token=${token}`, '10.0.0.99');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const [entry] = await api.people.store.auditPage({ action: 'signin.refused', limit: 1 });
    expect(entry).toMatchObject({ address: '10.0.0.99', outcome: 'refused' });
    expect(entry.after).toMatchObject({
      method: 'kiosk',
      reason: expect.stringMatching(/^too many wrong tokens/),
    });
    expect(kioskCookieOf(limited.headers['set-cookie'])).toBeUndefined();
    // Another address is served as before.
    expect((await kiosk(`?token=${token}`, '10.0.0.100')).statusCode).toBe(303);
  });
});
