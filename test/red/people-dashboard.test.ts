// The dashboard and the editor know the signed-in person (issue 12): the embedded Node-RED with the shipped
// flows on a real port, people in a real people.sqlite, and a small HTTP server standing in for the API on
// the same port, which records every request the flows make. Chromium for what a person sees.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseCookies } from 'cookie';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AttemptLimit } from '../../http/attempt-limit.js';
import { type Actor, People } from '../../people/people.js';
import type { Role } from '../../people/roles.js';
import { SqlitePeople } from '../../people/sqlite-people.js';
import type { WhoIs } from '../../red/dashboard-auth.js';
import { type EmbeddedRed, startEmbeddedRed } from '../../red/embedded-red.js';
import { type SharedServer, sharedServer } from '../../red/shared-server.js';
import { launchBrowser, openPage, screenshot } from '../support/browser.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const RED_TOKEN = 'red-service-token-0123456789abcdef';
const ADMIN_TOKEN = 'break-glass-admin-token-0123456789';
const SYSTEM: Actor = { name: 'system', role: null, via: 'system', address: null };
const PEOPLE: [string, Role][] = [
  ['vera', 'viewer'],
  ['olga', 'operator'],
  ['emil', 'engineer'],
  ['ada', 'admin'],
];

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The API as far as the shipped flows use it, recording what reaches it. */
function apiStandIn() {
  const seen: Seen[] = [];
  // Two open alerts: one acknowledged over a raw socket, one from the page.
  const alerts = ['a-1', 'a-2'].map((alertId) => ({
    alertId,
    indicator: `availability.cctv-gateway`,
    scope: alertId === 'a-1' ? 'city' : 'centre',
    severity: 'critical',
    value: 0,
    below: 50,
    raisedAt: '2026-01-05T14:00:00.000Z',
    acknowledgedAt: null as string | null,
    acknowledgedBy: null as string | null,
    clearedAt: null,
  }));
  const audit = [
    { seq: 1, at: Date.UTC(2026, 0, 5, 14, 0, 0), actor: 'system', role: null, via: 'system' },
    { seq: 2, at: Date.UTC(2026, 0, 5, 14, 30, 0), actor: 'emil', role: 'engineer', via: 'dashboard' },
    { seq: 3, at: Date.UTC(2026, 0, 5, 15, 0, 0), actor: 'ada', role: 'admin', via: 'session' },
  ].map((e, i) => ({
    ...e,
    address: '127.0.0.1',
    action: ['account.create', 'device.create', 'threshold.set'][i],
    target: ['ada', 'sen-9', 'L2.2.1|city'][i],
    before: null,
    after: { n: i },
    outcome: 'ok',
  }));
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const url = req.url ?? '';
      const path = url.split('?')[0];
      // The page's own question (the alerts table asks who is signed in, to offer Acknowledge to operators
      // and up), answered from the session as the real API does; not one of the flows' calls.
      if (path === '/api/me')
        return void whoIs(req).then((me) =>
          me ? json(res, 200, { ...me, via: 'session' }) : json(res, 401, {}),
        );
      seen.push({ method: req.method ?? '', url, headers: req.headers, body });
      if (path === '/signin') {
        res.setHeader('content-type', 'text/html');
        return res.end('<!doctype html><title>Sign in</title><h1>Sign in to citygauge</h1>');
      }
      if (path === '/api/city') return json(res, 200, { name: 'Town', timeZone: 'America/Los_Angeles' });
      if (path === '/api/alerts') return json(res, 200, alerts);
      const acked = req.method === 'POST' && alerts.find((a) => path === `/api/alerts/${a.alertId}/ack`);
      if (acked) {
        acked.acknowledgedAt = new Date().toISOString();
        acked.acknowledgedBy = String(req.headers['x-citygauge-person']);
        return json(res, 200, acked);
      }
      if (req.method === 'POST' && path === '/api/devices')
        return json(res, 201, { id: JSON.parse(body).id, secret: 's'.repeat(32) });
      if (path === '/api/audit') return json(res, 200, { entries: [...audit].reverse(), next: null });
      if (path === '/api/devices/map')
        return json(res, 200, { placed: 0, downPlaced: 0, bounds: null, cells: [], down: [], districts: [] });
      if (path === '/api/districts') return json(res, 200, { districts: [] });
      if (path === '/api/indicators' || path === '/api/thresholds') return json(res, 200, []);
      json(res, 404, { message: `no ${path} in the stand-in` });
    });
  };
  return { seen, handler };
}

let dir: string;
let store: SqlitePeople;
let people: People;
let shared: SharedServer;
let red: EmbeddedRed;
let http: string;
let browser: Browser;
const api = apiStandIn();
const cookies: Record<string, string> = {};

const whoIs: WhoIs = async (req) => {
  const cookie = parseCookies(req.headers.cookie ?? '').cg_session;
  const found = cookie ? await people.sessionOf(cookie) : undefined;
  return found && { name: found.account.name, role: found.account.role };
};

/** Polls `read` until `ok`; on timeout says what never happened and the last value read. */
const until = async <T>(read: () => T | Promise<T>, ok: (v: T) => boolean, what: string, ms = 15_000) => {
  let last: T | undefined;
  return waitFor(
    () => `${what} (last: ${JSON.stringify(last)})`,
    async () => {
      last = await read();
      return ok(last) ? { value: last } : undefined;
    },
    ms,
  ).then((r) => r.value);
};

const apiCalls = (method: string, path: string) =>
  api.seen.filter((s) => s.method === method && s.url.split('?')[0] === path);

/** A Chromium page signed in as `name`, or signed out. */
async function pageAs(name?: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser);
  if (name) await opened.page.context().addCookies([{ name: 'cg_session', value: cookies[name], url: http }]);
  return opened;
}

/** Engine.IO v4 over HTTP long-polling, then socket.io's connect: what a browser's socket does. */
async function socketIo(name?: string) {
  const base = `${http}/dashboard/socket.io/?EIO=4&transport=polling`;
  const headers: Record<string, string> = name ? { cookie: `cg_session=${cookies[name]}` } : {};
  const open = await (await fetch(base, { headers })).text();
  const sid = JSON.parse(open.slice(1)).sid as string;
  const url = `${base}&sid=${sid}`;
  await fetch(url, { method: 'POST', headers, body: '40' });
  const connected = await (await fetch(url, { headers })).text();
  return {
    connected,
    /** The next packets the server sends, as the browser's long poll gets them. */
    poll: () => fetch(url, { headers }).then(async (r) => `${r.status} ${await r.text()}`),
    /** socket.emit(event, ...args) from the browser side. */
    emit: (...args: unknown[]) =>
      fetch(url, { method: 'POST', headers, body: `42${JSON.stringify(args)}` }).then((r) => r.text()),
  };
}

beforeAll(async () => {
  dir = tempDir();
  store = await SqlitePeople.open(dir);
  people = new People(store);
  for (const [name, role] of PEOPLE) {
    await people.addLocal(name, role, SYSTEM, 'a long and private pass phrase');
    cookies[name] = (await people.startSession(name, 'local', '127.0.0.1')).cookie;
  }
  const port = await freePort();
  http = `http://127.0.0.1:${port}`;
  shared = sharedServer();
  const server = shared.factory(api.handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  red = await startEmbeddedRed({
    server,
    shared,
    dataDir: dir,
    flowsFile: 'flows/citygauge.json',
    apiUrl: http,
    mqttHost: '127.0.0.1',
    // No broker: these pages' live values are the browser tests' (test/browser/dashboard.test.ts).
    mqttPort: await freePort(),
    account: { username: 'service:node-red-embedded', token: RED_TOKEN },
    whoIs,
    signInPath: '/signin',
    isAdminToken: (t) => t === ADMIN_TOKEN,
    isAdmin: async (name) => {
      const account = await people.account(name);
      return account?.role === 'admin' && !account.disabled;
    },
    attempts: new AttemptLimit(),
    logger: pino({ level: 'silent' }),
  });
  await until(
    async () =>
      (await fetch(`${http}/dashboard/city`, { redirect: 'manual' }).catch(() => undefined))?.status,
    (s) => s === 302,
    'the dashboard answering',
    30_000,
  );
  // The flows' first reads at start (the city, its alerts) have reached the API.
  await until(
    () => apiCalls('GET', '/api/alerts').length,
    (n) => n > 0,
    'the flows reading the alerts',
  );
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  shared?.closeWebSockets();
  await red?.stop();
  await store?.close();
});

describe('a signed-out browser', () => {
  it('is sent to the sign-in page, and comes back to the page it asked for', async () => {
    const res = await fetch(`${http}/dashboard/field`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/signin?next=%2Fdashboard%2Ffield');
    const { page } = await pageAs();
    await page.goto(`${http}/dashboard/city`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/dashboard/city');
    expect(await page.locator('h1').textContent()).toBe('Sign in to citygauge');
    await page.close();
  });

  it('gets no live socket, and a signed-in one does', async () => {
    expect((await socketIo()).connected).toMatch(/^44\{"message":"sign in first: \/signin"\}/);
    expect((await socketIo('vera')).connected).toMatch(/^40\{"sid"/);
    // An ended session is as good as none.
    const { cookie } = await people.startSession('vera', 'local', '127.0.0.1');
    await people.endSession(cookie, { name: 'vera', role: 'viewer', via: 'session', address: null });
    cookies.gone = cookie;
    expect((await socketIo('gone')).connected).toMatch(/^44/);
  });
});

describe('a person signed out elsewhere', () => {
  it('loses their live socket when the city rechecks its people', async () => {
    const { cookie } = await people.startSession('olga', 'local', '127.0.0.1');
    cookies.elsewhere = cookie;
    const socket = await socketIo('elsewhere');
    expect(socket.connected).toMatch(/^40\{"sid"/);
    expect(await red.recheckPeople()).toBe(0);
    await people.endSession(cookie, { name: 'olga', role: 'operator', via: 'session', address: null });
    expect(await red.recheckPeople()).toBe(1);
    // Engine.IO's close packet, or no such session any more.
    expect(await socket.poll()).toMatch(/^(200 .*1$|400 )/s);
  });
});

describe('the pages each role is shown', () => {
  const navTo = (page: Page, path: string) => page.locator(`a[href="/dashboard${path}"]`);

  it('gives a viewer the city but not the field engineers’ page, not even by its address', async () => {
    const { page, errors } = await pageAs('vera');
    await page.goto(`${http}/dashboard/city`);
    await expect.poll(() => navTo(page, '/city').count(), { timeout: 15_000 }).toBe(1);
    expect(await navTo(page, '/field').count()).toBe(0);
    expect(await navTo(page, '/audit').count()).toBe(0);
    await screenshot(page, 'dashboard-viewer.png');
    await page.goto(`${http}/dashboard/field`);
    await expect.poll(() => navTo(page, '/city').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('[data-testid=register]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('gives an engineer the field engineers’ page, and registers in their name', async () => {
    const { page, errors } = await pageAs('emil');
    await page.goto(`${http}/dashboard/field`);
    await expect.poll(() => navTo(page, '/field').count(), { timeout: 15_000 }).toBe(1);
    expect(await navTo(page, '/audit').count()).toBe(0);
    await page.locator('[data-testid=register] input[name=id]').fill('sen-9');
    await page.locator('[data-testid=register-submit]').click();
    expect(await page.locator('[data-testid=secret]').textContent({ timeout: 10_000 })).toBe('s'.repeat(32));
    const [post] = apiCalls('POST', '/api/devices');
    expect(post.headers['x-citygauge-person']).toBe('emil');
    expect(post.headers.authorization).toBe(`Bearer ${RED_TOKEN}`);
    expect(JSON.parse(post.body)).toEqual({ id: 'sen-9', kind: 'sensor' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes nothing from a widget a viewer was not sent, and names the connection’s person, not the message’s', async () => {
    const viewer = await socketIo('vera');
    const register = { topic: 'register', payload: { id: 'by-a-viewer', kind: 'sensor' } };
    await viewer.emit('widget-send', 'cg-tpl-register', register);
    // Posing as the admin in what the browser sends changes nothing.
    await viewer.emit('widget-send', 'cg-tpl-alerts', {
      topic: 'ack',
      payload: { alertId: 'a-1' },
      _client: { user: { name: 'ada', role: 'admin' } },
    });
    await until(
      () => apiCalls('POST', '/api/alerts/a-1/ack').length,
      (n) => n === 1,
      'the viewer’s ack',
    );
    expect(apiCalls('POST', '/api/alerts/a-1/ack')[0].headers['x-citygauge-person']).toBe('vera');
    // The same register from an engineer's connection goes through; the viewer's, sent before, never came.
    const engineer = await socketIo('emil');
    await engineer.emit('widget-send', 'cg-tpl-register', {
      topic: 'register',
      payload: { id: 'by-an-engineer', kind: 'sensor' },
    });
    await until(
      () => apiCalls('POST', '/api/devices').map((s) => JSON.parse(s.body).id),
      (ids) => ids.includes('by-an-engineer'),
      'the engineer’s register',
    );
    expect(apiCalls('POST', '/api/devices').map((s) => JSON.parse(s.body).id)).not.toContain('by-a-viewer');
  });
});

describe('the flows act for the person', () => {
  it('acknowledges an alert in the name of the operator who clicked', async () => {
    const { page, errors } = await pageAs('olga');
    await page.goto(`${http}/dashboard/city`);
    const row = page.locator('[data-alert="a-2"]');
    await row.locator('[data-testid=ack]').click({ timeout: 15_000 });
    await until(
      () => apiCalls('POST', '/api/alerts/a-2/ack').length,
      (n) => n === 1,
      'the ack',
    );
    const ack = apiCalls('POST', '/api/alerts/a-2/ack').at(-1);
    expect(ack?.headers['x-citygauge-person']).toBe('olga');
    expect(ack?.headers.authorization).toBe(`Bearer ${RED_TOKEN}`);
    expect(ack?.body).toBe('{}');
    await expect
      .poll(() => row.locator('[data-testid=alert-state]').textContent(), { timeout: 10_000 })
      .toBe('acknowledged by olga');
    expect(await page.locator('[data-testid=ack-by]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends the service token on every request, reads included', () => {
    const calls = api.seen.filter((s) => s.url.startsWith('/api/'));
    expect(calls.filter((s) => s.method === 'GET').length).toBeGreaterThan(0);
    expect(calls.filter((s) => s.headers.authorization !== `Bearer ${RED_TOKEN}`)).toEqual([]);
    // Writes name a person; reads need none, except the audit trail's.
    const writes = calls.filter((s) => s.method !== 'GET');
    expect(writes.filter((s) => !s.headers['x-citygauge-person'])).toEqual([]);
  });
});

describe('the audit page', () => {
  it('shows admins the audit trail in the city’s time, filtered by actor, and nobody else', async () => {
    const { page, errors } = await pageAs('ada');
    await page.goto(`${http}/dashboard/audit`);
    const rows = page.locator('[data-testid=audit-entry]');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(3);
    // 15:00 UTC is 07:00 in Los Angeles in January.
    expect(await rows.first().locator('[data-testid=audit-at]').textContent()).toBe(
      '2026-01-05 07:00:00 PST',
    );
    expect(await rows.first().locator('[data-testid=audit-what]').textContent()).toBe('threshold.set');
    const read = apiCalls('GET', '/api/audit').at(-1);
    expect(read?.headers['x-citygauge-person']).toBe('ada');
    expect(read?.url).toMatch(/^\/api\/audit\?limit=100/);
    await page.locator('[data-testid=audit-actor]').fill('emil');
    await page.locator('[data-testid=audit-refresh]').click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    expect(await rows.first().locator('[data-testid=audit-who]').textContent()).toBe('emil (engineer)');
    await until(
      () => apiCalls('GET', '/api/audit').map((s) => s.url),
      (urls) => urls.includes('/api/audit?limit=100&actor=emil'),
      'the filtered read',
    );
    await screenshot(page, 'dashboard-audit.png');
    expect(errors).toEqual([]);
    await page.close();

    // An engineer is not sent the page, nor its answers.
    const engineer = await pageAs('emil');
    await engineer.page.goto(`${http}/dashboard/audit`);
    await expect
      .poll(() => engineer.page.locator('a[href="/dashboard/field"]').count(), { timeout: 15_000 })
      .toBe(1);
    expect(await engineer.page.locator('[data-testid=audit]').count()).toBe(0);
    await engineer.page.close();
  });
});

describe('the flows editor', () => {
  it('opens for an admin’s session without a second sign-in', async () => {
    const { page } = await pageAs('ada');
    await page.goto(`${http}/red/`);
    await expect.poll(() => page.locator('#red-ui-header').count(), { timeout: 20_000 }).toBe(1);
    await expect
      .poll(() => page.locator('.red-ui-tab-label', { hasText: 'Audit' }).count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(await page.locator('#node-dialog-login-fields').isVisible()).toBe(false);
    await screenshot(page, 'editor-admin.png');
    await page.close();
  });

  it('refuses a viewer with the reason, and sends a signed-out browser to sign in', async () => {
    const { page } = await pageAs('vera');
    const res = await page.goto(`${http}/red/`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain(
      'the flows editor is for admins: you are signed in as vera, a viewer',
    );
    // Node-RED's own sign-in refuses a viewer too, and its admin API.
    const strategy = await fetch(`${http}/red/auth/strategy`, {
      headers: { cookie: `cg_session=${cookies.vera}` },
      redirect: 'manual',
    });
    expect(strategy.status).toBe(403);
    expect(
      (await fetch(`${http}/red/flows`, { headers: { cookie: `cg_session=${cookies.olga}` } })).status,
    ).toBe(403);
    const out = await fetch(`${http}/red/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/signin?next=%2Fred%2F');
    await page.close();
  });

  it('hands an admin a Node-RED token from their session, and takes the break-glass token', async () => {
    const strategy = await fetch(`${http}/red/auth/strategy`, {
      headers: { cookie: `cg_session=${cookies.ada}` },
      redirect: 'manual',
    });
    expect(strategy.status).toBe(302);
    // Read as the editor reads it: a '+' in the token is a '+', not a space.
    const token = decodeURIComponent(
      /access_token=([^&]+)/.exec(strategy.headers.get('location') ?? '')?.[1] ?? '',
    );
    expect(token).toBeTruthy();
    const flows = await fetch(`${http}/red/flows`, {
      headers: { cookie: `cg_session=${cookies.ada}`, authorization: `Bearer ${token}` },
    });
    expect(flows.status).toBe(200);
    expect(((await flows.json()) as { id: string }[]).map((n) => n.id)).toContain('cg-tpl-audit');
    // The Node-RED token alone, without the session, opens nothing.
    expect((await fetch(`${http}/red/flows`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      401,
    );
    const breakGlass = await fetch(`${http}/red/flows`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(breakGlass.status).toBe(200);
  });

  it('lets the editor’s live channel open for an admin, and no more once they are not one', async () => {
    const strategy = await fetch(`${http}/red/auth/strategy`, {
      headers: { cookie: `cg_session=${cookies.ada}` },
      redirect: 'manual',
    });
    const token = decodeURIComponent(
      /access_token=([^&]+)/.exec(strategy.headers.get('location') ?? '')?.[1] ?? '',
    );
    // The editor's comms: a WebSocket past the HTTP gate, authenticated with the Node-RED token alone.
    const comms = () =>
      new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`${http.replace('http', 'ws')}/red/comms`);
        ws.on('open', () => ws.send(JSON.stringify({ auth: token })));
        ws.on('message', (data) => {
          resolve(String(JSON.parse(String(data)).auth));
          ws.close();
        });
        ws.on('error', reject);
      });
    expect(await comms()).toBe('ok');
    await people.addLocal('ada.two', 'admin', SYSTEM, 'a long and private pass phrase for ada two');
    await people.setRole('ada', 'operator', SYSTEM);
    try {
      expect(await comms()).toBe('fail');
    } finally {
      await people.setRole('ada', 'admin', SYSTEM);
    }
    expect(await comms()).toBe('ok');
  });
});
