// People in the dashboard (issue 12 item 7), in Debian's Chromium against `citygauge start` on free ports:
// each person signs in through the sign-in page and is given what their role allows, no more. A viewer sees
// the city but cannot register (the page is not sent, and the API answers their own token 403); an
// engineer registers a device; an operator acknowledges an alert in their own name; the admin (the account
// the first start made, with its one-time password) changes a threshold in the dashboard and finds it in
// the audit trail; a signed-out browser reaches no page and no live socket; signing out ends the session.
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot } from '../support/browser.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { addPerson, issueToken, openAs, person, signInFirstTime } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const ADMIN_TOKEN = 'people-admin-token-0123456789abcdef';
const viewer = person('vera', 'viewer');
const engineer = person('emil', 'engineer');
// The operator is added by the admin through the API, with a one-time password; the admin is the account
// the first start made.
const operator = person('olga', 'operator');
const admin = person('admin', 'admin');
let dataDir: string;
let city: CityProcess;
let browser: Browser;
let gateway: MqttClient;

/** The dashboard's navigation entry for a page or link (Dashboard 2.0 marks each with its node id). */
const nav = (page: Page, id: string) => page.locator(`[data-nav="${id}"]`);
const api = (method: string, path: string, body?: unknown) => city.api(method, path, body);

beforeAll(async () => {
  dataDir = tempDir();
  city = await startCity(
    ['--inventory', 'test/fixtures/town', '--no-sim'],
    {
      CITYGAUGE_ADMIN_TOKEN: ADMIN_TOKEN,
    },
    dataDir,
  );
  await city.until(
    // A request caught while Node-RED's socket.io attaches to the port may be reset: "not yet".
    async () =>
      (await fetch(`${city.http}/dashboard/`, { redirect: 'manual' }).catch(() => undefined))?.status,
    (s) => s === 302,
    'Node-RED serving /dashboard',
    30_000,
  );
  // An administrator adds two people with the command line, beside the running city.
  await addPerson(dataDir, viewer);
  await addPerson(dataDir, engineer);
  browser = await launchBrowser();
  // The gateway and its two cameras come online: availability.cctv-gateway is 100 %.
  const { body } = await api('POST', '/api/devices/gw-1/secret');
  gateway = await city.connect({
    clientId: 'gw-1',
    username: 'gw-1',
    password: body.secret,
    will: {
      topic: 'city/cctv-gateway/gw-1/status',
      payload: Buffer.from('{"state":"offline"}'),
      qos: 1,
      retain: true,
    },
  });
  const now = () => Date.now();
  gateway.publish('city/cctv-gateway/gw-1/status', JSON.stringify({ state: 'online', ts: now() }), {
    qos: 1,
    retain: true,
  });
  for (const cam of ['cam-1', 'cam-2'])
    gateway.publish(
      `city/cctv/${cam}/status`,
      JSON.stringify({ state: 'online', video: 'ok', shared: true, ts: now() }),
      { qos: 1, retain: true },
    );
}, 120_000);

afterAll(async () => {
  gateway?.end(true);
  await browser?.close();
  await city?.stop();
});

describe('a viewer', () => {
  it('sees the city’s live values', async () => {
    const { page, errors } = await openAs(browser, city.http, viewer);
    await page.goto(`${city.http}/dashboard/city`);
    const card = (id: string) => page.locator(`[data-indicator="${id}"] [data-testid=value]`).first();
    await expect
      .poll(() => card('availability.cctv-gateway').textContent(), { timeout: 20_000 })
      .toBe('100.0');
    const { body } = await api('GET', '/api/indicators/L2.2.1');
    const value = body.values?.find((v: { scope: string }) => v.scope === 'city')?.value ?? body.value;
    await expect
      .poll(() => card('L2.2.1').textContent(), { timeout: 10_000 })
      .toBe(value === null ? '—' : value.toFixed(1));
    await screenshot(page, 'people-viewer-city.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('cannot register: no field engineers’ page, no form at its address, 403 from the API', async () => {
    const { page, errors } = await openAs(browser, city.http, viewer);
    await page.goto(`${city.http}/dashboard/city`);
    await expect.poll(() => nav(page, 'cg-page-city').count(), { timeout: 20_000 }).toBe(1);
    for (const id of ['cg-page-field', 'cg-page-maintenance', 'cg-page-audit', 'cg-page-settings'])
      expect(await nav(page, id).count(), id).toBe(0);
    // By its address: the page was never sent, so the dashboard shows what it has, and no form.
    await page.goto(`${city.http}/dashboard/field`);
    await expect.poll(() => nav(page, 'cg-page-city').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('[data-testid=register]').count()).toBe(0);
    expect(await page.locator('[data-testid=register-submit]').count()).toBe(0);
    await screenshot(page, 'people-viewer-no-field.png');
    expect(errors).toEqual([]);
    await page.close();

    // Their own personal token reads, and is refused a registration with the reason.
    const token = await issueToken(dataDir, viewer.name);
    const as = (method: string, path: string, body?: unknown) =>
      fetch(city.http + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    expect((await as('GET', '/api/devices/gw-1')).status).toBe(200);
    const refused = await as('POST', '/api/devices', { id: 'sen-v', kind: 'sensor', assetId: 'smelter' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe('forbidden');
    expect((await api('GET', '/api/devices/sen-v')).status).toBe(404);
  });
});

describe('an engineer', () => {
  it('registers a device from the field engineers’ page, in their name', async () => {
    const { page, errors } = await openAs(browser, city.http, engineer);
    await page.goto(`${city.http}/dashboard/city`);
    await nav(page, 'cg-page-field').click({ timeout: 20_000 });
    // The admins' pages are not theirs.
    for (const id of ['cg-page-audit', 'cg-page-settings']) expect(await nav(page, id).count(), id).toBe(0);
    const form = page.locator('[data-testid=register]');
    await form.locator('input[name=id]').fill('sen-21');
    await form.locator('select[name=kind]').selectOption('sensor');
    await form.locator('input[name=assetId]').fill('smelter');
    await form.locator('input[name=expectedIntervalS]').fill('60');
    await page.locator('[data-testid=register-submit]').click();
    const secret =
      (await page.locator('[data-testid=secret]').textContent({ timeout: 15_000 }))?.trim() ?? '';
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await screenshot(page, 'people-engineer-register.png');
    expect(errors).toEqual([]);
    await page.close();

    const { status, body } = await api('GET', '/api/devices/sen-21');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'sen-21', kind: 'sensor', assetId: 'smelter', expectedIntervalS: 60 });
    const trail = await api('GET', '/api/audit?action=device.create');
    expect(trail.body.entries[0]).toMatchObject({
      actor: 'emil',
      role: 'engineer',
      via: 'dashboard',
      target: 'sen-21',
      outcome: 'ok',
    });
  });
});

describe('an operator', () => {
  it('acknowledges an alert, which then names them on the page and in the API', async () => {
    // The admin adds the operator through the API: a one-time password, to be replaced at first sign-in.
    const added = await api('POST', '/api/people', { name: operator.name, role: 'operator' });
    expect(added.status).toBe(201);
    expect(added.body.account).toMatchObject({ name: 'olga', role: 'operator' });
    const put = await api('PUT', '/api/thresholds', [
      {
        indicator: 'availability.cctv-gateway',
        scope: 'city',
        below: 50,
        clearAt: 60,
        forS: 1,
        severity: 'critical',
      },
    ]);
    expect(put.status).toBe(200);

    const { page, errors } = await openPage(browser);
    await signInFirstTime(page, city.http, operator.name, added.body.oneTimePassword, operator.password);
    expect(new URL(page.url()).pathname).toMatch(/^\/dashboard/);
    await page.goto(`${city.http}/dashboard/city`);
    // The outage: the gateway's connection drops without a goodbye, so the broker publishes its Last Will.
    gateway.stream.destroy();
    const row = page.locator('[data-indicator="availability.cctv-gateway"][data-alert]').first();
    await expect
      .poll(() => row.locator('[data-testid=alert-state]').textContent(), { timeout: 20_000 })
      .toBe('open');
    // A viewer sees the same open alert, and is not offered to acknowledge it.
    const watcher = await openAs(browser, city.http, viewer);
    await watcher.page.goto(`${city.http}/dashboard/city`);
    const seen = watcher.page.locator('[data-indicator="availability.cctv-gateway"][data-alert]').first();
    await expect
      .poll(() => seen.locator('[data-testid=alert-state]').textContent(), { timeout: 20_000 })
      .toBe('open');
    expect(await seen.locator('[data-testid=ack]').count()).toBe(0);
    await watcher.page.close();
    // No name to type: the acknowledgement is the signed-in operator's.
    expect(await page.locator('[data-testid=ack-by]').count()).toBe(0);
    await expect.poll(() => row.locator('[data-testid=ack]').count(), { timeout: 10_000 }).toBe(1);
    await row.locator('[data-testid=ack]').click();
    await expect
      .poll(() => row.locator('[data-testid=alert-state]').textContent(), { timeout: 15_000 })
      .toBe('acknowledged by olga');
    await screenshot(page, 'people-operator-ack.png');
    expect(errors).toEqual([]);
    await page.close();

    const { body: alerts } = await api('GET', '/api/alerts?open=true');
    const alert = alerts.find((a: { indicator: string }) => a.indicator === 'availability.cctv-gateway');
    expect(alert).toMatchObject({ acknowledgedBy: 'olga', severity: 'critical' });
  });
});

describe('the admin', () => {
  it('changes a threshold in the dashboard, and the audit page shows it as theirs', async () => {
    const oneTime = /admin account\s+admin \/ (\S+)/.exec(city.output())?.[1];
    expect(oneTime, city.output()).toBeTruthy();
    const { page, errors } = await openPage(browser);
    await signInFirstTime(page, city.http, admin.name, oneTime as string, admin.password);
    await page.goto(`${city.http}/dashboard/city`);
    await nav(page, 'cg-page-settings').click({ timeout: 20_000 });
    const row = page.locator('[data-testid=threshold][data-indicator="availability.cctv-gateway"]');
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.locator('input[name=below]').inputValue()).toBe('50');
    await screenshot(page, 'people-admin-thresholds.png');
    await row.locator('input[name=below]').fill('40');
    await row.locator('input[name=clearAt]').fill('45');
    await row.locator('input[name=forS]').fill('30');
    await row.locator('select[name=severity]').selectOption('major');
    await page.locator('[data-testid=thresholds-save]').click();
    await expect
      .poll(() => page.locator('[data-testid=thresholds-notice]').textContent(), { timeout: 15_000 })
      .toBe('Saved 1 threshold.');
    await screenshot(page, 'people-admin-thresholds-saved.png');
    const { body: thresholds } = await api('GET', '/api/thresholds');
    expect(thresholds).toEqual([
      {
        indicator: 'availability.cctv-gateway',
        scope: 'city',
        below: 40,
        clearAt: 45,
        forS: 30,
        severity: 'major',
      },
    ]);

    // A row the API refuses: nothing is saved, the page says why and keeps the admin's edits.
    await page.locator('[data-testid=threshold-add]').click();
    const added = page.locator('[data-testid=threshold]').nth(1);
    await added.locator('input[name=indicator]').fill('L9.9.9');
    await page.locator('[data-testid=thresholds-save]').click();
    await expect
      .poll(() => page.locator('[data-testid=thresholds-notice]').textContent(), { timeout: 15_000 })
      .toBe("Not saved (HTTP 400: 1: no indicator 'L9.9.9')");
    expect(await page.locator('[data-testid=threshold]').count()).toBe(2);
    expect((await api('GET', '/api/thresholds')).body).toEqual(thresholds);

    // The audit page: the change is the admin's, made from the dashboard, with before and after.
    await nav(page, 'cg-page-audit').click();
    await page.locator('[data-testid=audit-action]').fill('threshold.set');
    await page.locator('[data-testid=audit-refresh]').click();
    const entry = page.locator('[data-testid=audit-entry]').first();
    await expect
      .poll(() => entry.locator('[data-testid=audit-who]').textContent(), { timeout: 20_000 })
      .toBe('admin (admin)');
    expect(await entry.locator('[data-testid=audit-what]').textContent()).toBe('threshold.set');
    const text = (await entry.textContent()) ?? '';
    expect(text).toContain('dashboard');
    expect(text).toMatch(/"below":50.*→.*"below":40/);
    // The earlier change by the break-glass token is listed below it, as the token's: newest first.
    await expect
      .poll(async () =>
        (await page.locator('[data-testid=audit-entry] [data-testid=audit-who]').allTextContents()).join(
          '\n',
        ),
      )
      .toMatch(/^admin \(admin\)\nadmin-token\b/);
    await screenshot(page, 'people-admin-audit.png');
    expect(errors).toEqual([]);
    await page.close();

    const trail = await api('GET', '/api/audit?action=threshold.set');
    expect(trail.body.entries[0]).toMatchObject({ actor: 'admin', role: 'admin', via: 'dashboard' });
  }, 120_000);
});

describe('a signed-out browser', () => {
  it('reaches no page: the dashboard, the editor and the report all send it to sign in', async () => {
    const { page } = await openPage(browser);
    for (const path of ['/dashboard', '/dashboard/city', '/dashboard/field', '/red', '/red/', '/report']) {
      await page.goto(city.http + path);
      const at = new URL(page.url());
      expect(at.pathname, path).toBe('/signin');
      expect(await page.locator('h1').textContent(), path).toBe('Sign in to citygauge');
    }
    await screenshot(page, 'people-signed-out.png');
    await page.close();
  });

  it('gets no live socket: the socket.io handshake is refused and no data arrives', async () => {
    // Engine.IO v4 over HTTP long-polling, then socket.io's connect to the default namespace.
    const base = `${city.http}/dashboard/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    const sid = JSON.parse(open.slice(1)).sid as string;
    await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '40' });
    const answer = await (await fetch(`${base}&sid=${sid}`)).text();
    expect(answer).toMatch(/^44\{"message":"sign in first: \/signin"\}$/);
    // Nothing follows: no ui-config, no widget data.
    expect(answer).not.toContain('ui-config');
    expect(answer).not.toContain('msg-input');
  });
});

describe('signing out from the dashboard', () => {
  it('ends the session: back to the sign-in page, and the dashboard asks again', async () => {
    const { page, errors } = await openAs(browser, city.http, viewer);
    await page.goto(`${city.http}/dashboard/city`);
    const session = (await page.context().cookies()).find((c) => c.name === 'cg_session')?.value;
    expect(session).toBeTruthy();
    await nav(page, 'cg-link-signout').click({ timeout: 20_000 });
    await page.waitForURL((u) => u.pathname === '/signout');
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === '/signin');
    expect(await page.locator('h1').textContent()).toBe('Sign in to citygauge');
    await page.goto(`${city.http}/dashboard/city`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(errors).toEqual([]);
    await page.close();
    // The session itself is over, not only forgotten by this browser.
    const replay = await fetch(`${city.http}/dashboard/city`, {
      redirect: 'manual',
      headers: { cookie: `cg_session=${session}` },
    });
    expect(replay.status).toBe(302);
    const trail = await api('GET', '/api/audit?action=signout');
    expect(trail.body.entries[0]).toMatchObject({ actor: 'vera' });
  });
});
