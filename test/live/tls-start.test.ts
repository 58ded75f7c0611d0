// `citygauge start --tls-cert --tls-key` end to end (issue 13 item 8), with a certificate openssl makes
// for this test: the API, the dashboard (and its socket.io) and the editor on one HTTPS port, no plain
// HTTP there, HSTS on the API's and Node-RED's pages, a Secure session cookie, the dashboard's live values
// and its flows' API calls working in Chromium, --trust-proxy's client address in the audit trail, MQTT over
// TLS on --mqtts-port with the same certificate (a registered device's reading accepted, a client that does not
// trust the certificate refused), and a bad key refused with exit code 2 before anything starts.
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { type CityProcess, startCity } from '../support/city-process.js';
import { runCli } from '../support/cli.js';
import { addPerson, person, signIn } from '../support/people.js';
import { freePort } from '../support/ports.js';
import { httpsRequest, type SelfSigned, selfSigned } from '../support/tls.js';
import { tempDir } from '../support/tmp.js';

const ADMIN = 'tls-admin-token-0123456789abcdef0123';
const TOWN = 'test/fixtures/town';
const officer = person('olu.officer', 'operator');
let tls: SelfSigned;
let city: CityProcess;
let base: string;
let mqttsPort: number;
let browser: Browser | undefined;

const get = (path: string, headers: Record<string, string> = {}) =>
  httpsRequest(`${base}${path}`, tls.cert, { headers });
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const signInForm = (password: string, headers: Record<string, string> = {}) =>
  httpsRequest(`${base}/signin`, tls.cert, {
    method: 'POST',
    headers: { ...FORM, ...headers },
    body: new URLSearchParams({ name: officer.name, password, next: '/dashboard' }).toString(),
  });

beforeAll(async () => {
  tls = selfSigned();
  const dataDir = tempDir();
  await addPerson(dataDir, officer);
  mqttsPort = await freePort();
  city = await startCity(
    [
      '--inventory',
      TOWN,
      '--no-sim',
      '--tls-cert',
      tls.certFile,
      '--tls-key',
      tls.keyFile,
      '--trust-proxy',
      '127.0.0.1',
      '--mqtts-port',
      String(mqttsPort),
    ],
    { CITYGAUGE_ADMIN_TOKEN: ADMIN },
    dataDir,
  );
  base = city.http.replace('http:', 'https:');
  await city.until(
    // A request caught while Node-RED's socket.io attaches to the port may be reset: "not yet".
    async () => (await get('/dashboard/').catch(() => undefined))?.status,
    (s) => s === 302,
    'Node-RED serving /dashboard over HTTPS',
    60_000,
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await city?.stop();
});

describe('citygauge start --tls-cert --tls-key', () => {
  it('serves /healthz over HTTPS with its certificate and prints https:// URLs', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).status).toBe('ok');
    expect(res.peerFingerprint256).toBe(tls.fingerprint256);
    expect(city.output()).toContain(`dashboard      ${base}/dashboard`);
    expect(city.output()).toContain(`HTTP API       ${base}/api/indicators`);
  });

  it('does not answer plain HTTP on that port', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(`${city.http}/healthz`, { agent: false }, (res) =>
        resolve(`HTTP ${res.statusCode}`),
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
      req.on('error', (err) => resolve(`refused: ${err.message}`));
      req.end();
    });
    expect(outcome).toMatch(/^refused/);
  });

  it('sends HSTS on the API and on Node-RED’s pages', async () => {
    for (const path of ['/healthz', '/signin', '/dashboard/', '/red/'])
      expect((await get(path)).headers['strict-transport-security'], path).toBe('max-age=15552000');
  });

  it('signs in with a Secure cookie and records the address the trusted proxy forwarded', async () => {
    const proxy = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
    expect((await signInForm('not the password', proxy)).status).toBe(401);
    const res = await signInForm(officer.password, proxy);
    expect(res.status).toBe(303);
    const cookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('cg_session='));
    expect(cookie).toMatch(/; Secure/);
    const audit = await get('/api/audit?action=signin.refused', { authorization: `Bearer ${ADMIN}` });
    expect(audit.status).toBe(200);
    expect(JSON.parse(audit.body).entries[0]).toMatchObject({ actor: officer.name, address: '203.0.113.9' });
  });

  it('limits wrong tokens at the editor per forwarded address, not per proxy', async () => {
    const guess = (from: string) =>
      get('/red/settings', { authorization: 'Bearer not-the-admin-token', 'x-forwarded-for': from });
    const first = await guess('203.0.113.20');
    expect(first.status).toBe(401);
    let status = first.status;
    for (let i = 0; i < 20 && status !== 429; i++) status = (await guess('203.0.113.20')).status;
    expect(status).toBe(429);
    // Another browser behind the same proxy is still answered.
    expect((await guess('203.0.113.21')).status).toBe(401);
  });

  it('shows live values, and what the flows read from the API, on the dashboard in Chromium over HTTPS', async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1400, height: 1000 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await signIn(page, base, officer.name, officer.password, '/dashboard/city');
    await page.goto(`${base}/dashboard/city`);
    // A live value came over socket.io (wss on the TLS port) ...
    await expect
      .poll(() => page.locator('[data-testid=last-update]').first().textContent(), { timeout: 60_000 })
      .toMatch(/Last update: \d{4}-\d\d-\d\d/);
    await expect
      .poll(() => page.locator('[data-indicator] [data-testid=value]').first().textContent(), {
        timeout: 30_000,
      })
      .toMatch(/^\d+\.\d$/);
    // ... and the flows' own API calls (GET /api/indicators, on their loopback listener) say why a value
    // is 0: with no bus simulated, L1.2.2 reads 0.
    await expect
      .poll(() => page.locator('[data-indicator="L1.2.2"] [data-testid=why]').first().textContent(), {
        timeout: 30_000,
      })
      .toBe('0 of 2 routes have a bus in service (no arrival forecast in the last 5 min)');
    expect(errors.filter((e) => /socket|websocket|wss?:|ERR_/i.test(e))).toEqual([]);
    await context.close();
  }, 120_000);
});

describe('MQTT over TLS on --mqtts-port', () => {
  const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const accepted = async () => {
    const metrics = (await get('/metrics')).body;
    return Number(/^citygauge_messages_accepted_total (\S+)$/m.exec(metrics)?.[1] ?? Number.NaN);
  };

  it('takes a registered device reading over mqtts trusting the city certificate, and prints its URL', async () => {
    expect(city.output()).toContain(`mqtts://127.0.0.1:${mqttsPort}`);
    const created = await httpsRequest(`${base}/api/devices`, tls.cert, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id: 'sen-tls-1', kind: 'sensor', expectedIntervalS: 60 }),
    });
    expect(created.status, created.body).toBe(201);
    const { secret } = JSON.parse(created.body) as { secret: string };
    const before = await accepted();
    expect(before).not.toBeNaN();

    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${mqttsPort}`, {
      ca: tls.cert,
      username: 'sen-tls-1',
      password: secret,
      clientId: 'sen-tls-1',
      reconnectPeriod: 0,
    });
    try {
      const peer = (client.stream as import('node:tls').TLSSocket).getPeerCertificate();
      expect(peer.fingerprint256).toBe(tls.fingerprint256);
      await client.publishAsync('city/sensor/sen-tls-1/status', JSON.stringify({ state: 'online', seq: 1 }), {
        qos: 1,
      });
    } finally {
      await client.endAsync();
    }
    await city.until(
      accepted,
      (n) => n === before + 1,
      'the engine to accept the reading sent over mqtts',
      30_000,
    );
  });

  it('refuses a client that does not trust the certificate, before any credentials are sent', async () => {
    const refused = await mqtt
      .connectAsync(`mqtts://127.0.0.1:${mqttsPort}`, {
        username: 'sen-tls-1',
        password: 'whatever',
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      })
      .then(
        async (c) => {
          await c.endAsync();
          return 'connected';
        },
        (err: Error) => err.message,
      );
    expect(refused).toMatch(/self[- ]signed certificate/);
  });
});

describe('a bad certificate or key', () => {
  it('stops start with exit code 2, naming the file and how to make a pair', async () => {
    const badKey = join(tempDir('citygauge-badkey-'), 'key.pem');
    writeFileSync(badKey, 'not a key\n');
    const r = await runCli([
      'start',
      '--data-dir',
      tempDir(),
      '--http-port',
      String(await freePort()),
      '--mqtt-port',
      String(await freePort()),
      '--no-sim',
      '--no-red',
      '--tls-cert',
      tls.certFile,
      '--tls-key',
      badKey,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--tls-key ${badKey} is not a PEM private key`);
    expect(r.stderr).toContain('openssl req -x509');
  });

  it('stops start with exit code 2 when --mqtts-port comes without a certificate', async () => {
    const r = await runCli([
      'start',
      '--data-dir',
      tempDir(),
      '--no-sim',
      '--no-red',
      '--mqtts-port',
      '8883',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mqtts-port is MQTT over TLS: give --tls-cert and --tls-key too');
  });
});
