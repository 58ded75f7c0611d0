// The mayor's dashboard and the field engineers' pages in Debian's Chromium, against `citygauge start` on
// free ports (issue 5): live values on the page match the API, an outage raises an alert that a person
// acknowledges from the page, a device registered from the page can log in with the secret it was shown.
// People sign in through the sign-in page with accounts made by `citygauge users add` (issue 12).

import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot } from '../support/browser.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { addPerson, openAs, person, sessionCookie } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'browser-admin-token-0123456789abcdef';
// The duty officer acknowledges alerts; the field engineer registers devices.
const officer = person('dana.duty', 'operator');
const engineer = person('fay.field', 'engineer');
const TOWN = 'test/fixtures/town';
let city: CityProcess;
let browser: Browser;

const api = (method: string, path: string, body?: unknown) => city.api(method, path, body);
const connect = (opts: mqtt.IClientOptions) => city.connect(opts);

const until = <T>(read: () => Promise<T> | T, ok: (v: T) => boolean, what: string, ms?: number) =>
  city.until(read, ok, what, ms);

let gateway: MqttClient;
const status = (state: string) => JSON.stringify({ state, ts: Date.now() });

beforeAll(async () => {
  const dataDir = tempDir();
  for (const p of [officer, engineer]) await addPerson(dataDir, p);
  city = await startCity(['--inventory', TOWN, '--no-sim'], { CITYGAUGE_ADMIN_TOKEN: ADMIN }, dataDir);
  await until(
    // A request caught while Node-RED's socket.io attaches to the port may be reset: "not yet".
    async () =>
      (await fetch(`${city.http}/dashboard/`, { redirect: 'manual' }).catch(() => undefined))?.status,
    (s) => s === 302,
    'Node-RED serving /dashboard',
    30_000,
  );
  browser = await launchBrowser();
  // The gateway and its two cameras come online: availability.cctv-gateway is 100 %.
  const { body } = await api('POST', '/api/devices/gw-1/secret');
  gateway = await connect({
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
  gateway.publish('city/cctv-gateway/gw-1/status', status('online'), { qos: 1, retain: true });
  for (const cam of ['cam-1', 'cam-2'])
    gateway.publish(
      `city/cctv/${cam}/status`,
      JSON.stringify({ state: 'online', video: 'ok', shared: true, ts: Date.now() }),
      { qos: 1, retain: true },
    );
}, 90_000);

afterAll(async () => {
  gateway?.end(true);
  await browser?.close();
  await city?.stop();
});

describe('the mayor’s dashboard', () => {
  it('shows the live values the engine publishes, city-wide and per district', async () => {
    const { page, errors } = await openAs(browser, city.http, officer);
    await page.goto(`${city.http}/dashboard/city`);
    const card = (id: string) => page.locator(`[data-indicator="${id}"] [data-testid=value]`).first();
    await expect
      .poll(() => card('availability.cctv-gateway').textContent(), { timeout: 15_000 })
      .toBe('100.0');
    // Every headline card shows what the API says, to the decimal shown.
    for (const id of ['L2.2.1', 'L2.2.2', 'L2.1.1', 'L1.2.2']) {
      const { body } = await api('GET', `/api/indicators/${id}`);
      const value = body.values?.find((v: { scope: string }) => v.scope === 'city')?.value ?? body.value;
      await expect
        .poll(() => card(id).textContent(), { timeout: 10_000 })
        .toBe(value === null ? '—' : value.toFixed(1));
    }
    await expect.poll(() => page.locator('[data-district="centre"]').count()).toBe(1);
    expect(await page.locator('[data-testid=last-update]').textContent()).not.toContain('waiting');
    await screenshot(page, 'dashboard-city.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('raises an alert when a gateway drops off, and a duty officer acknowledges it from the page', async () => {
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
    // The alert routes flow forwards raise and clear to MQTT for pagers and SMS gateways.
    const watcher = await connect({
      username: 'service:node-red',
      password: serviceToken('service:node-red'),
    });
    const routed: string[] = [];
    watcher.on('message', (topic, payload) =>
      routed.push(`${topic} ${JSON.parse(payload.toString()).event}`),
    );
    await watcher.subscribeAsync('city/alerts/notify/#', { qos: 1 });

    const { page, errors } = await openAs(browser, city.http, officer);
    await page.goto(`${city.http}/dashboard/city`);
    // The outage: the gateway's connection drops without a goodbye, so the broker publishes its Last Will.
    gateway.stream.destroy();
    const row = page.locator('[data-indicator="availability.cctv-gateway"][data-alert]').first();
    await expect
      .poll(() => row.locator('[data-testid=alert-state]').textContent(), { timeout: 15_000 })
      .toBe('open');
    // No name is typed: the acknowledgement is the signed-in officer's.
    expect(await page.locator('[data-testid=ack-by]').count()).toBe(0);
    await row.locator('[data-testid=ack]').click();
    await expect
      .poll(() => row.locator('[data-testid=alert-state]').textContent(), { timeout: 10_000 })
      .toBe('acknowledged by dana.duty');
    const { body: alerts } = await api('GET', '/api/alerts?open=true');
    const alert = alerts.find((a: { indicator: string }) => a.indicator === 'availability.cctv-gateway');
    expect(alert).toMatchObject({ acknowledgedBy: 'dana.duty', severity: 'critical', value: 0 });
    await until(
      async () => routed,
      (r) => r.includes('city/alerts/notify/critical/availability.cctv-gateway raise'),
      'alert routed to MQTT',
    );
    await screenshot(page, 'dashboard-alert.png');
    expect(errors).toEqual([]);
    watcher.end(true);
    await page.close();
  });
});

describe('the field engineers’ pages', () => {
  it('registers a device, shows its secret once, and the device logs in with it', async () => {
    const { page, errors } = await openAs(browser, city.http, engineer);
    await page.goto(`${city.http}/dashboard/field`);
    const form = page.locator('[data-testid=register]');
    await form.locator('input[name=id]').fill('sen-9');
    await form.locator('select[name=kind]').selectOption('sensor');
    await form.locator('input[name=assetId]').fill('smelter');
    await form.locator('input[name=expectedIntervalS]').fill('60');
    await form.locator('input[name=lat]').fill('37.3301');
    await form.locator('input[name=lon]').fill('-121.8855');
    await page.locator('[data-testid=register-submit]').click();
    const secret =
      (await page.locator('[data-testid=secret]').textContent({ timeout: 10_000 }))?.trim() ?? '';
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const { status, body } = await api('GET', '/api/devices/sen-9');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: 'sen-9',
      kind: 'sensor',
      assetId: 'smelter',
      expectedIntervalS: 60,
      lat: 37.3301,
      lon: -121.8855,
    });
    // Beside the secret, where and as whom to connect: the device logs in with exactly what the page shows.
    const shown = async (what: string) =>
      (await page.locator(`[data-testid=connection-${what}]`).textContent())?.trim() ?? '';
    expect(await shown('username')).toBe('sen-9');
    expect(await shown('client-id')).toBe('sen-9');
    expect(await shown('topics')).toBe('city/sensor/sen-9/<channel>');
    const url = await shown('url');
    expect(url).toMatch(new RegExp(`^mqtts?://[^/]+:${city.ports.mqtt}$`));
    const device = await mqtt.connectAsync(url, {
      clientId: await shown('client-id'),
      username: await shown('username'),
      password: secret,
      reconnectPeriod: 0,
    });
    await device.endAsync(true);
    await screenshot(page, 'field-register.png');

    // The same id again is refused with the API's reason, shown on the page.
    await page.locator('[data-testid=register-submit]').click();
    await expect
      .poll(() => page.locator('[data-testid=register-error]').textContent(), { timeout: 10_000 })
      .toMatch(/Refused \(409\).*sen-9/);
    expect(errors).toEqual([]);
    await page.close();

    // Never heard since it was registered, it shows as down on the mayor's map, where it stands.
    const map = await openAs(browser, city.http, officer);
    await map.page.goto(`${city.http}/dashboard/city`);
    await expect
      .poll(() => map.page.locator('[data-testid=down-map] circle[data-device="sen-9"]').count(), {
        timeout: 15_000,
      })
      .toBe(1);
    expect(map.errors).toEqual([]);
    await map.page.close();
  });

  it('uploads an inventory file and lists each refused row with its reason', async () => {
    const { page, errors } = await openAs(browser, city.http, engineer);
    await page.goto(`${city.http}/dashboard/field`);
    const csv = [
      'id,kind,district,asset_id,gateway_id,hd,expected_interval_s,lat,lon',
      'sen-10,sensor,,smelter,,,60,,',
      'bad-1,toaster,,smelter,,,60,,',
    ].join('\n');
    await page.locator('[data-testid=upload-files]').setInputFiles({
      name: 'devices.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.locator('[data-testid=upload-submit]').click();
    const rowErrors = page.locator('[data-testid=row-error]');
    await expect.poll(() => rowErrors.count(), { timeout: 10_000 }).toBe(1);
    expect(await rowErrors.first().textContent()).toMatch(/^devices\.csv:3: .*kind/);
    expect((await api('GET', '/api/devices/sen-10')).status).toBe(200);
    expect((await api('GET', '/api/devices/bad-1')).status).toBe(404);
    await screenshot(page, 'field-upload.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('looks up a device: liveness and its last messages', async () => {
    const { page, errors } = await openAs(browser, city.http, engineer);
    await page.goto(`${city.http}/dashboard/field`);
    await page.locator('[data-testid=lookup-id]').fill('gw-1');
    await page.locator('[data-testid=lookup-submit]').click();
    await expect
      .poll(() => page.locator('[data-testid=liveness]').textContent(), { timeout: 10_000 })
      .toBe('offline: said offline (its status message or its Last Will)');
    const topics = await page.locator('[data-testid=message] td:nth-child(2)').allTextContents();
    expect(topics).toContain('city/cctv-gateway/gw-1/status');
    await screenshot(page, 'field-lookup.png');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('who may open the dashboard', () => {
  it('sends a browser without a session to sign in, refuses a wrong password, lets a person in', async () => {
    const open = (cookie?: string) =>
      fetch(`${city.http}/dashboard/city`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    const anonymous = await open();
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe('/signin?next=%2Fdashboard%2Fcity');
    expect((await open('cg_session=a-guessed-session')).status).toBe(302);
    expect((await open(await sessionCookie(city.http, officer))).status).toBe(200);

    const { page } = await openPage(browser);
    await page.goto(`${city.http}/dashboard/city`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.locator('#name').fill(officer.name);
    await page.locator('#password').fill('not the password at all');
    await page.locator('button[type=submit]').click();
    await expect
      .poll(() => page.locator('.error').textContent(), { timeout: 10_000 })
      .toBe('wrong account name or password');
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('cg_session');
    await page.close();
  });

  it('refuses the live data channel (socket.io) without a session', async () => {
    // The Engine.IO handshake over HTTP long-polling, then a connect to the default namespace.
    const socketIo = async (cookie?: string) => {
      const base = `${city.http}/dashboard/socket.io/?EIO=4&transport=polling`;
      const headers: Record<string, string> = cookie ? { cookie } : {};
      const open = await (await fetch(base, { headers })).text();
      const sid = JSON.parse(open.slice(1)).sid as string;
      await fetch(`${base}&sid=${sid}`, { method: 'POST', headers, body: '40' });
      return (await fetch(`${base}&sid=${sid}`, { headers })).text();
    };
    expect(await socketIo()).toMatch(/^44\{"message":"sign in first: \/signin"\}/);
    expect(await socketIo(await sessionCookie(city.http, officer))).toMatch(/^40\{"sid"/);
  });
});

describe('the Node-RED editor', () => {
  it('is for admins: the break-glass token opens its API, an operator’s session does not', async () => {
    expect((await fetch(`${city.http}/red/flows`)).status).toBe(401);
    const flows = await fetch(`${city.http}/red/flows`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(flows.status).toBe(200);
    const ids = ((await flows.json()) as { id: string }[]).map((n) => n.id);
    expect(ids).toContain('cg-tpl-headline');
    const operator = await fetch(`${city.http}/red/flows`, {
      headers: { cookie: await sessionCookie(city.http, officer) },
    });
    expect(operator.status).toBe(403);
    expect(((await operator.json()) as { message: string }).message).toMatch(
      /^the flows editor is for admins: you are signed in as dana\.duty/,
    );
    // The editor's own password login is gone: even the admin token is no password there.
    const login = await fetch(`${city.http}/red/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'node-red-editor',
        grant_type: 'password',
        scope: '*',
        username: 'admin',
        password: ADMIN,
      }),
    });
    expect(login.status).toBe(401);
  });
});

function serviceToken(name: string): string {
  const m = new RegExp(`MQTT account\\s+${name} / (\\S+)`).exec(city.output());
  if (!m) throw new Error(`no token for ${name} in the output:\n${city.output()}`);
  return m[1];
}
