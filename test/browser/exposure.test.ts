// Exposure (issue 10 item 11) against `citygauge start`: security headers on the API, /docs, /report, the
// dashboard and the editor; a page on another origin cannot frame the field engineers' page; the pages
// still run under their policy (no console error in Chromium); wrong tokens are limited per client
// address, so a stranger hammering the API or the editor's login cannot lock the admin out.
import { createServer, request, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser.js';
import { type CityProcess, startCity } from '../support/city-process.js';

const ADMIN = 'exposure-admin-token-0123456789abcdef';
const DASHBOARD = 'dashboard-password-for-the-ops-room';
const officer = { username: 'Fay Field', password: DASHBOARD };
const basic = `Basic ${Buffer.from(`${officer.username}:${DASHBOARD}`).toString('base64')}`;
let city: CityProcess;
let browser: Browser;
let stranger: Server;

beforeAll(async () => {
  city = await startCity(['--inventory', 'test/fixtures/town', '--no-sim'], {
    CITYGAUGE_ADMIN_TOKEN: ADMIN,
    CITYGAUGE_DASHBOARD_PASSWORD: DASHBOARD,
  });
  await city.until(
    async () => (await fetch(`${city.http}/dashboard/`).catch(() => undefined))?.status,
    (s) => s === 401,
    'Node-RED serving /dashboard',
    30_000,
  );
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
  const pages: [string, Record<string, string>][] = [
    ['/api/indicators', {}],
    ['/api/devices/nope', {}],
    ['/no-such-page', {}],
    ['/healthz', {}],
    ['/docs', {}],
    ['/docs/static/index.html', {}],
    ['/report', {}],
    ['/dashboard/field', { authorization: basic }],
    ['/dashboard/field', {}],
    ['/red/', {}],
    ['/red/flows', {}],
  ];
  it.each(pages)('%s: a CSP that forbids framing, nosniff, a referrer policy', async (path, headers) => {
    const r = await from('127.0.0.1', 'GET', path, { headers });
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
    const { page, errors } = await openPage(browser, officer);
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
    const { page, errors } = await openPage(browser, officer);
    await page.goto(`${city.http}/dashboard/field`);
    await page.locator('form').first().waitFor({ timeout: 20_000 });
    await page.goto(`${city.http}/docs`);
    await page.locator('.swagger-ui .info').first().waitFor({ timeout: 20_000 });
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
    await page.goto(`${city.http}/red/`);
    await page.locator('#node-dialog-login-username').waitFor({ timeout: 30_000 });
    await page.fill('#node-dialog-login-username', 'admin');
    await page.fill('#node-dialog-login-password', ADMIN);
    await page.click('#node-dialog-login-submit');
    // The workspace with the shipped flows' tabs: the editor's scripts, styles and comms all ran.
    await page.locator('#red-ui-workspace-tabs .red-ui-tab').first().waitFor({ timeout: 30_000 });
    await page.locator('#red-ui-palette .red-ui-palette-node').first().waitFor({ timeout: 30_000 });
    // Before the login the editor asks for its settings and is told 401: that is how it knows to log in.
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

  it('the editor login: wrong passwords lock out their own address only, never the admin', async () => {
    const login = (address: string, password: string) =>
      from(address, 'POST', '/red/auth/token', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: 'node-red-editor',
          grant_type: 'password',
          scope: '',
          username: 'admin',
          password,
        }).toString(),
      });
    // Node-RED alone locks the user name `admin` for 10 minutes after 5 failures, from anywhere.
    const failures: number[] = [];
    for (let i = 0; i < 10; i++) failures.push((await login('127.0.0.3', `wrong-${i}`)).status);
    expect(failures).toEqual(Array(10).fill(403));
    const blocked = await login('127.0.0.3', ADMIN);
    expect(blocked.status, blocked.text).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(blocked.text).error).toBe('too-many-requests');
    const admin = await login('127.0.0.1', ADMIN);
    expect(admin.status, admin.text).toBe(200);
    const token = JSON.parse(admin.text).access_token as string;
    const flows = await from('127.0.0.1', 'GET', '/red/flows', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(flows.status).toBe(200);
  });

  it('wrong bearer tokens on the editor’s API and wrong dashboard passwords count too', async () => {
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
    // Wrong dashboard passwords, from yet another address.
    const wrong = `Basic ${Buffer.from('Mallory:guess').toString('base64')}`;
    for (let i = 0; i < 10; i++)
      expect(
        (await from('127.0.0.5', 'GET', '/dashboard/field', { headers: { authorization: wrong } })).status,
      ).toBe(401);
    expect(
      (await from('127.0.0.5', 'GET', '/dashboard/field', { headers: { authorization: basic } })).status,
    ).toBe(429);
    expect(
      (await from('127.0.0.1', 'GET', '/dashboard/field', { headers: { authorization: basic } })).status,
    ).toBe(200);
  });
});
