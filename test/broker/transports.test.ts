// The broker over WebSocket and TLS, anonymous development mode, failed-login rate limiting, and the
// in-process publish path the engine uses.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { nextPublish, startTestBroker, type TestBroker } from './harness.js';

let t: TestBroker | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('transports', () => {
  it('accepts a device over WebSocket', async () => {
    t = await startTestBroker({ wsPort: 0 });
    expect(t.broker.wsPort).toBeGreaterThan(0);
    const cam = await t.connect('gw-1', {}, `ws://127.0.0.1:${t.broker.wsPort}`);
    const seen = nextPublish(t.broker, (topic) => topic === 'city/cctv-gateway/gw-1/heartbeat');
    await cam.publishAsync('city/cctv-gateway/gw-1/heartbeat', '{"ts":1}', { qos: 1 });
    expect((await seen).clientId).toBe('gw-1');
    // the same rules hold: a wrong token is refused over WebSocket too
    await expect(
      t.connect('gw-2', { password: 'wrong' }, `ws://127.0.0.1:${t.broker.wsPort}`),
    ).rejects.toThrow(/Bad username or password/i);
  });

  it('accepts a device over TLS when given a certificate and key', async () => {
    const dir = tempDir('citygauge-tls-');
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
        ...['-keyout', key, '-out', cert],
      ],
      { stdio: 'ignore' },
    );
    t = await startTestBroker({ tls: { cert: readFileSync(cert), key: readFileSync(key), port: 0 } });
    const pm = await t.connect(
      'pm-2',
      { ca: readFileSync(cert), servername: 'localhost' },
      `mqtts://127.0.0.1:${t.broker.tlsPort}`,
    );
    const seen = nextPublish(t.broker, (topic) => topic === 'city/pipe-monitor/pm-2/heartbeat');
    await pm.publishAsync('city/pipe-monitor/pm-2/heartbeat', '{"ts":1}', { qos: 1 });
    expect((await seen).clientId).toBe('pm-2');
  });
});

describe('anonymous development mode', () => {
  it('lets clients without credentials do anything, after a loud warning', async () => {
    t = await startTestBroker({ allowAnonymous: true });
    const warning = await t.waitForLog((l) => l.event === 'anonymous-allowed');
    expect(warning.level).toBeGreaterThanOrEqual(40);
    const anon = await t.connect(undefined);
    const seen = nextPublish(t.broker, (topic) => topic === 'anything/at/all');
    await anon.publishAsync('anything/at/all', 'x', { qos: 1 });
    await seen;
    // explicit credentials are still checked
    await expect(t.connect('pm-1', { password: 'wrong' })).rejects.toThrow(/Bad username or password/i);
  });
});

describe('failed logins', () => {
  it('are rate limited per address: after N failures even the right token is refused for a minute', async () => {
    t = await startTestBroker({ loginFailuresPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      await expect(t.connect('pm-1', { password: `guess-${i}` })).rejects.toThrow(
        /Bad username or password/i,
      );
    }
    await expect(t.connect('pm-2')).rejects.toThrow(/Not authorized/i);
    const line = await t.waitForLog((l) => l.reason === 'rate-limited-login');
    expect(line).toMatchObject({ address: '127.0.0.1', username: 'pm-2', clientId: 'pm-2' });
    expect(t.broker.stats.refusals['bad-credentials']).toBe(3);
    expect(t.broker.stats.refusals['rate-limited-login']).toBe(1);
  });
});

describe('the in-process path', () => {
  it('publishes retained values as the broker itself, delivered to later subscribers', async () => {
    t = await startTestBroker();
    await t.broker.publish('city/indicators/L2.1.1', '{"value":50}', { retain: true, qos: 1 });
    const engine = await t.connect('service:engine', { clientId: 'citygauge-engine' });
    const got = new Promise<string>((resolve) => engine.once('message', (_t, p) => resolve(p.toString())));
    await engine.subscribeAsync('city/indicators/#', { qos: 1 });
    expect(await got).toBe('{"value":50}');
  });

  it('counts connected clients and closes them all on close()', async () => {
    t = await startTestBroker();
    const a = await t.connect('s-1');
    await t.connect('s-2');
    expect(t.broker.stats.connectedClients).toBe(2);
    const gone = new Promise<void>((resolve) => a.once('close', () => resolve()));
    await t.broker.close();
    await gone;
  });
});
