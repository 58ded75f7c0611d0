// The alert routes shipped off (e-mail, webhook) work once switched on: an operator enables them in the
// editor (here through the editor's admin API with the admin token), and a raised alert reaches a real
// SMTP receiver and a webhook endpoint. The routes that ship on (log, MQTT) are covered by the browser test.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';
import { freePort } from '../support/ports.js';
import { type SmtpReceiver, startSmtpReceiver } from '../support/smtp.js';

const ADMIN = 'routes-admin-token-0123456789abcdef';
let city: CityProcess;
let smtp: SmtpReceiver;
let hookServer: Server;
const hooks: { path: string; body: { text: string; alert: Record<string, unknown> } }[] = [];

const until = <T>(read: () => Promise<T> | T, ok: (v: T) => boolean, what: string, ms?: number) =>
  city.until(read, ok, what, ms);

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  const hookPort = await freePort();
  hookServer = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => {
      text += d;
    });
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', body: JSON.parse(text) });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(hookPort, '127.0.0.1', resolve));
  city = await startCity(['--inventory', 'test/fixtures/town', '--no-sim'], {
    CITYGAUGE_ADMIN_TOKEN: ADMIN,
    CITYGAUGE_ALERT_EMAIL: 'duty@town.example',
    CITYGAUGE_ALERT_FROM: 'citygauge@town.example',
    CITYGAUGE_ALERT_WEBHOOK: `http://127.0.0.1:${hookPort}/hook`,
  });
  // While Node-RED starts, its socket.io server takes over the port's request handling: a request caught
  // in between may be reset, so a failed fetch counts as "not yet".
  await until(
    async () =>
      (await fetch(`${city.http}/dashboard/city`, { redirect: 'manual' }).catch(() => undefined))?.status,
    // Signed out, the dashboard sends the browser to the sign-in page.
    (s) => s === 302,
    'Node-RED up',
  );
}, 90_000);

afterAll(async () => {
  await city?.stop();
  await smtp?.close();
  await new Promise((r) => hookServer?.close(r));
});

describe('the alert routes shipped off', () => {
  it('send e-mail and call the webhook once an operator switches them on', async () => {
    const admin = { authorization: `Bearer ${ADMIN}` };
    const res = await fetch(`${city.http}/red/flows`, {
      headers: { ...admin, 'Node-RED-API-Version': 'v2' },
    });
    const { flows, rev } = (await res.json()) as { flows: Record<string, unknown>[]; rev: string };
    const node = (id: string) => {
      const n = flows.find((f) => f.id === id);
      if (!n) throw new Error(`no node ${id} in the shipped flows`);
      return n;
    };
    // What an operator does in the editor: point the e-mail node at their server, enable both routes.
    Object.assign(node('cg-email'), {
      server: '127.0.0.1',
      port: String(smtp.port),
      authtype: 'NONE',
      tls: false,
    });
    for (const id of ['cg-email', 'cg-fn-webhook', 'cg-http-webhook']) delete node(id).d;
    const deploy = await fetch(`${city.http}/red/flows`, {
      method: 'POST',
      headers: {
        ...admin,
        'content-type': 'application/json',
        'Node-RED-API-Version': 'v2',
        'Node-RED-Deployment-Type': 'full',
      },
      body: JSON.stringify({ flows, rev }),
    });
    expect(deploy.status).toBe(200);

    // No sensor is online in the town, so this threshold raises its alert after a second.
    const put = await city.api('PUT', '/api/thresholds', [
      { indicator: 'availability.sensor', scope: 'city', below: 50, clearAt: 60, forS: 1, severity: 'major' },
    ]);
    expect(put.status).toBe(200);

    const [mail] = await until(
      () => smtp.mails,
      (m) => m.length > 0,
      'an alert e-mail',
    );
    expect(mail.from).toBe('citygauge@town.example');
    expect(mail.to).toEqual(['duty@town.example']);
    expect(mail.subject).toBe('[major] availability.sensor (city) RAISED: value 0.0, alert below 50');
    expect(mail.data).toContain('Open the dashboard to acknowledge it.');
    // The town names no time zone: its clocks are UTC.
    expect(mail.data).toMatch(/At \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(UTC\)\./);

    const [hook] = await until(
      () => hooks,
      (h) => h.length > 0,
      'an alert webhook call',
    );
    expect(hook.path).toBe('/hook');
    expect(hook.body.text).toBe('[major] availability.sensor (city) RAISED: value 0.0, alert below 50');
    expect(hook.body.alert).toMatchObject({ event: 'raise', indicator: 'availability.sensor', value: 0 });
  });
});
