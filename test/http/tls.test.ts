// HTTPS on the city's own port and behind a reverse proxy (issue 13 item 8), on the whole API in process
// with a certificate openssl makes for this test: the API answers over TLS with that certificate and not
// in plain HTTP, sends HSTS only then, the session cookie is Secure, --trust-proxy takes the scheme and
// the client's address from the proxy (the cookie and the audit trail), and a bad pair is refused.
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTlsPair, trustProxyFlag } from '../../cli/tls-files.js';
import { HSTS_MAX_AGE_S } from '../../http/security-headers.js';
import { type FullApi, fullApi } from '../support/full-api.js';
import { TEST_ACTOR } from '../support/people.js';
import { httpsRequest, type SelfSigned, selfSigned } from '../support/tls.js';
import { tempDir } from '../support/tmp.js';

let tls: SelfSigned;
let secure: FullApi;
let base: string;
let once: string;

beforeAll(async () => {
  tls = selfSigned();
  secure = await fullApi({ tls: { cert: tls.cert, key: tls.key } });
  await secure.app.listen({ port: 0, host: '127.0.0.1' });
  const address = secure.app.server.address();
  base = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  once = (await secure.people.addLocal('ada', 'admin', TEST_ACTOR)).oneTimePassword!;
}, 60_000);
afterAll(() => secure?.close());

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (name: string, password: string) =>
  new URLSearchParams({ name, password, next: '/' }).toString();

describe('with --tls-cert and --tls-key', () => {
  it('answers /healthz over HTTPS with the certificate it was given', async () => {
    const res = await httpsRequest(`${base}/healthz`, tls.cert);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).status).toBe('ok');
    expect(res.peerFingerprint256).toBe(tls.fingerprint256);
  });

  it('does not answer plain HTTP on that port', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(`${base.replace('https:', 'http:')}/healthz`, { agent: false }, (res) =>
        resolve(`HTTP ${res.statusCode}`),
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
      req.on('error', (err) => resolve(`refused: ${err.message}`));
      req.end();
    });
    expect(outcome).toMatch(/^refused/);
  });

  it('sends HSTS for 180 days, without preload, on every answer', async () => {
    for (const path of ['/healthz', '/docs', '/no-such-page']) {
      const res = await httpsRequest(`${base}${path}`, tls.cert);
      expect(res.headers['strict-transport-security'], path).toBe(`max-age=${HSTS_MAX_AGE_S}`);
    }
    expect(HSTS_MAX_AGE_S).toBe(15_552_000);
  });

  it('marks the session cookie Secure at sign-in', async () => {
    const res = await httpsRequest(`${base}/signin`, tls.cert, {
      method: 'POST',
      headers: FORM,
      body: form('ada', once),
    });
    expect(res.status).toBe(303);
    const cookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('cg_session='));
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/HttpOnly/);
  });
});

describe('over plain HTTP', () => {
  it('sends no HSTS and no Secure cookie: TLS belongs to a proxy then', async () => {
    const plain = await fullApi();
    try {
      const pw = (await plain.people.addLocal('bo', 'viewer', TEST_ACTOR)).oneTimePassword!;
      const health = await plain.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.headers['strict-transport-security']).toBeUndefined();
      // A client cannot claim HTTPS by itself: no proxy is trusted.
      const res = await plain.app.inject({
        method: 'POST',
        url: '/signin',
        remoteAddress: '127.0.0.1',
        headers: { ...FORM, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
        payload: form('bo', pw),
      });
      expect(res.statusCode).toBe(303);
      expect(String(res.headers['set-cookie'])).not.toMatch(/Secure/);
      const [entry] = await plain.people.store.auditPage({ action: 'signin', limit: 1 });
      expect(entry?.address).toBe('127.0.0.1');
    } finally {
      await plain.close();
    }
  });
});

describe('--trust-proxy', () => {
  it('takes the scheme and the client address from the trusted proxy only', async () => {
    const proxied = await fullApi({ trustProxy: trustProxyFlag('127.0.0.1') });
    try {
      const pw = (await proxied.people.addLocal('cy', 'viewer', TEST_ACTOR)).oneTimePassword!;
      const signIn = (from: string, password: string) =>
        proxied.app.inject({
          method: 'POST',
          url: '/signin',
          remoteAddress: from,
          headers: { ...FORM, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
          payload: form('cy', password),
        });
      // Through the proxy on loopback: the browser spoke HTTPS to the proxy, from 203.0.113.9.
      const refused = await signIn('127.0.0.1', 'not the password');
      expect(refused.statusCode).toBe(401);
      const [wrong] = await proxied.people.store.auditPage({ action: 'signin.refused', limit: 1 });
      expect(wrong?.address).toBe('203.0.113.9');
      const res = await signIn('127.0.0.1', pw);
      expect(res.statusCode).toBe(303);
      expect(String(res.headers['set-cookie'])).toMatch(/cg_session=[^;]+;.*Secure/);
      const [entry] = await proxied.people.store.auditPage({ action: 'signin', limit: 1 });
      expect(entry?.address).toBe('203.0.113.9');
      // The same headers from an address that is not the proxy are the client's own claim: ignored.
      const direct = await signIn('198.51.100.4', 'wrong again');
      expect(direct.statusCode).toBe(401);
      const [claimed] = await proxied.people.store.auditPage({ action: 'signin.refused', limit: 1 });
      expect(claimed?.address).toBe('198.51.100.4');
    } finally {
      await proxied.close();
    }
  });

  it('takes loopback, addresses and CIDR ranges, and refuses anything else', () => {
    expect(trustProxyFlag('loopback')).toEqual(['loopback']);
    expect(trustProxyFlag('10.0.0.0/8, 192.168.1.7,::1', ['loopback'])).toEqual([
      'loopback',
      '10.0.0.0/8',
      '192.168.1.7',
      '::1',
    ]);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0/8', '', '*'])
      expect(() => trustProxyFlag(bad), bad).toThrow(InvalidArgumentError);
  });
});

describe('a certificate and key that do not work', () => {
  const dir = tempDir('citygauge-badtls-');
  it('names the file and how to make a pair', () => {
    const notAKey = join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'this is not a key\n');
    expect(() => readTlsPair(tls.certFile, notAKey)).toThrow(
      new RegExp(`--tls-key ${notAKey} is not a PEM private key.*openssl req -x509`),
    );
    expect(() => readTlsPair(join(dir, 'missing.pem'), tls.keyFile)).toThrow(
      /cannot read --tls-cert .*missing\.pem.*openssl req -x509/,
    );
    expect(() => readTlsPair(tls.certFile)).toThrow(/both --tls-cert and --tls-key/);
    try {
      readTlsPair(tls.certFile, notAKey);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('refuses a key that is not the certificate’s', () => {
    const other = selfSigned();
    expect(() => readTlsPair(tls.certFile, other.keyFile)).toThrow(
      new RegExp(`--tls-key ${other.keyFile} is not the key of --tls-cert ${tls.certFile}`),
    );
    expect(readTlsPair(tls.certFile, tls.keyFile)?.cert.equals(tls.cert)).toBe(true);
  });
});
