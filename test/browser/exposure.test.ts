// Exposure (issue 10 item 11) against `citygauge start`: security headers on the API, /docs, /report, the
// dashboard and the editor; a page on another origin cannot frame the field engineers' page; the pages
// still run under their policy (no console error in Chromium); wrong tokens are limited per client
// address, so a stranger hammering the API, the editor or the sign-in page cannot lock the admin out.
import { createServer, request, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { addPerson, openAs, person, sessionCookie } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'exposure-admin-token-0123456789abcdef';
// An admin: the field engineers' page and the flows editor are both theirs.
const admin = person('ada', 'admin');
let session = '';
let city: CityProcess;
let browser: Browser;
let stranger: Server;

beforeAll(async () => {
  const dataDir = tempDir();
  await addPerson(dataDir, admin);
  city = await startCity(
    ['--inventory', 'test/fixtures/town', '--no-sim'],
    { CITYGAUGE_ADMIN_TOKEN: ADMIN },
    dataDir,
  );
  await city.until(
    async () =>
      (await fetch(`${city.http}/dashboard/`, { redirect: 'manual' }).catch(() => undefined))?.status,
    (s) => s === 302,
    'Node-RED serving /dashboard',
    30_000,
  );
  session = await sessionCookie(city.http, admin);
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  stranger?.close();
  await browser?.close();
  await city?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** An HTTP request from a chosen loopback address (Linux routes all of 127/8 to lo). */
function from(
  localAddress: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const url = new URL(city.http + path);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress,
        headers: opts.headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('security headers', () => {
  const pages: [string, 'signed in' | 'signed out'][] = [
    ['/api/indicators', 'signed out'],
    ['/api/devices/nope', 'signed out'],
    ['/no-such-page', 'signed out'],
    ['/healthz', 'signed out'],
    ['/docs', 'signed out'],
    ['/docs/static/index.html', 'signed out'],
    ['/report', 'signed out'],
    ['/report', 'signed in'],
    ['/signin', 'signed out'],
    ['/dashboard/field', 'signed in'],
    ['/dashboard/field', 'signed out'],
    ['/red/', 'signed in'],
    ['/red/', 'signed out'],
    ['/red/flows', 'signed out'],
  ];
  it.each(pages)('%s %s: a CSP that forbids framing, nosniff, a referrer policy', async (path, who) => {
    const headers: Record<string, string> = who === 'signed in' ? { cookie: session } : {};
    const r = await from('127.0.0.1', 'GET', path, { headers });
    if (who === 'signed in') expect(r.status, path).toBe(200);
    const csp = String(r.headers['content-security-policy'] ?? '');
    expect(csp, `${path} ${r.status}`).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/object-src 'none'/);
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('same-origin');
  });

  it('a page on another origin cannot frame the field engineers’ page', async () => {
    stranger = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(
        `<!doctype html><title>not the city</title><iframe id="f" src="${city.http}/dashboard/field"></iframe>`,
      );
    });
    await new Promise<void>((r) => stranger.listen(0, '127.0.0.1', r));
    const port = (stranger.address() as { port: number }).port;
    // Another origin: another host name for the same loopback address, on another port.
    const { page, errors } = await openAs(browser, city.http, admin);
    await page.goto(`http://localhost:${port}/`);
    await expect.poll(() => errors.join('\n'), { timeout: 15_000 }).toMatch(/frame-ancestors 'none'/);
    const framed = page.frames().find((f) => f !== page.mainFrame());
    // The blocked frame shows Chromium's error page, never the field page's forms.
    expect(
      await framed
        ?.locator('form, input, button')
        .count()
        .catch(() => 0),
    ).toBe(0);
  });

  it('the dashboard, /docs and the editor run under their policy without a console error', async () => {
    const { page, errors } = await openAs(browser, city.http, admin);
    await page.goto(`${city.http}/dashboard/field`);
    await page.locator('form').first().waitFor({ timeout: 20_000 });
    await page.goto(`${city.http}/docs`);
    await page.locator('.swagger-ui .info').first().waitFor({ timeout: 20_000 });
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
    // The admin's session opens the editor: no second login.
    await page.goto(`${city.http}/red/`);
    // The workspace with the shipped flows' tabs: the editor's scripts, styles and comms all ran.
    await page.locator('#red-ui-workspace-tabs .red-ui-tab').first().waitFor({ timeout: 30_000 });
    await page.locator('#red-ui-palette .red-ui-palette-node').first().waitFor({ timeout: 30_000 });
    // Before its automatic login the editor asks for its settings and is told 401: that is how it knows
    // to log in.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  }, 120_000);
});

describe('attempt limits per client address', () => {
  it('bearer tokens: the stranger gets 429 with Retry-After, the admin elsewhere still writes', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await from('127.0.0.2', 'POST', '/api/devices/gw-1/secret', {
        headers: bearer(`guess-${i}`),
      });
      expect(r.status, r.text).toBe(401);
    }
    const blocked = await from('127.0.0.2', 'POST', '/api/devices/gw-1/secret', { headers: bearer(ADMIN) });
    expect(blocked.status, blocked.text).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(blocked.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(JSON.parse(blocked.text)).toEqual({
      error: 'too-many-requests',
      message: expect.stringMatching(/try again in \d+ s/),
    });
    // The admin, from another address, is not held off.
    const admin = await from('127.0.0.1', 'POST', '/api/devices/cam-1/secret', { headers: bearer(ADMIN) });
    expect(admin.status, admin.text).toBe(200);
    expect(JSON.parse(admin.text).secret).toBeTruthy();
  });

  it('the sign-in page: wrong passwords lock out their own address, the admin elsewhere signs in', async () => {
    const signIn = (address: string, name: string, password: string) =>
      from(address, 'POST', '/signin', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name, password, next: '/dashboard' }).toString(),
      });
    // Each guess at another name: the address is what is limited, not the names (those are limited too).
    const failures: number[] = [];
    for (let i = 0; i < 5; i++) failures.push((await signIn('127.0.0.3', `nobody-${i}`, 'wrong')).status);
    expect(failures).toEqual(Array(5).fill(401));
    const blocked = await signIn('127.0.0.3', admin.name, admin.password);
    expect(blocked.status, blocked.text).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.text).toMatch(/too many wrong passwords: try again in \d+ s/);
    expect(blocked.headers['set-cookie']).toBeUndefined();
    const signedIn = await signIn('127.0.0.1', admin.name, admin.password);
    expect(signedIn.status, signedIn.text).toBe(303);
    const cookie = /^(cg_session=[^;]+)/.exec(String(signedIn.headers['set-cookie']))?.[1] ?? '';
    const field = await from('127.0.0.1', 'GET', '/dashboard/field', { headers: { cookie } });
    expect(field.status).toBe(200);
  });

  it('wrong bearer tokens on the editor’s API count too', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await from('127.0.0.4', 'GET', '/red/flows', {
        headers: { authorization: `Bearer guess-${i}` },
      });
      expect(r.status).toBe(401);
    }
    expect(
      (await from('127.0.0.4', 'GET', '/red/flows', { headers: { authorization: `Bearer ${ADMIN}` } }))
        .status,
    ).toBe(429);
    // The same address is limited on the API too: one limit per address.
    expect(
      (await from('127.0.0.4', 'POST', '/api/devices/cam-1/secret', { headers: bearer(ADMIN) })).status,
    ).toBe(429);
    expect(
      (await from('127.0.0.1', 'GET', '/red/flows', { headers: { authorization: `Bearer ${ADMIN}` } }))
        .status,
    ).toBe(200);
  });
});
