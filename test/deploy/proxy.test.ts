// The reverse-proxy examples of docs/deploy/tls.md, deploy/proxy/nginx.conf and Caddyfile, checked
// by the proxies themselves (Debian's nginx and caddy): Caddy validates its file, and nginx runs the shipped
// server blocks, with a certificate made in the test and local ports, in front of the whole API started
// with --trust-proxy loopback: HTTPS through it gives HSTS once, a Secure session cookie, the browser's
// forwarded address in the audit trail, a form post that passes the same-site check (Host kept), and
// plain HTTP redirected to HTTPS. The docs show the files as they are.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustProxyFlag } from '../../cli/tls-files.js';
import { type FullApi, fullApi } from '../support/full-api.js';
import { TEST_ACTOR } from '../support/people.js';
import { freePort, waitForPort } from '../support/ports.js';
import { httpsRequest, type SelfSigned, selfSigned } from '../support/tls.js';
import { tempDir } from '../support/tmp.js';
import { ROOT, runTool } from './tools.js';

const NGINX = join(ROOT, 'deploy', 'proxy', 'nginx.conf');
const CADDY = join(ROOT, 'deploy', 'proxy', 'Caddyfile');

let api: FullApi;
let tls: SelfSigned;
let nginx: ChildProcess | undefined;
let nginxLog = '';
let https: string;
let http: string;

beforeAll(async () => {
  tls = selfSigned();
  api = await fullApi({ trustProxy: trustProxyFlag('loopback') });
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const apiPort = (api.app.server.address() as { port: number }).port;
  const [plainPort, tlsPort] = [await freePort(), await freePort()];
  const dir = tempDir('citygauge-nginx-');
  mkdirSync(join(dir, 'temp'));
  // The shipped server blocks as they are, but for the certificate, the ports and the API's address.
  const site = readFileSync(NGINX, 'utf8')
    .replace(/^ {4}listen 80;/m, `    listen 127.0.0.1:${plainPort};`)
    .replace(/^ {4}listen 443 ssl http2;/m, `    listen 127.0.0.1:${tlsPort} ssl http2;`)
    .replace(/\/etc\/letsencrypt\/live\/city\.example\.org\/fullchain\.pem/, tls.certFile)
    .replace(/\/etc\/letsencrypt\/live\/city\.example\.org\/privkey\.pem/, tls.keyFile)
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${apiPort}`);
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'master_process off;',
      `pid ${join(dir, 'nginx.pid')};`,
      'error_log stderr warn;',
      'events {}',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (t) => `  ${t}_temp_path ${join(dir, 'temp', t)};`,
      ),
      `  include ${join(dir, 'site.conf')};`,
      '}',
    ].join('\n'),
  );
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf')];
  runTool('nginx', ['-t', ...args], "install Debian's nginx: apt-get install nginx");
  nginx = spawn('nginx', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  nginx.stderr?.on('data', (d) => {
    nginxLog += d;
  });
  await waitForPort(tlsPort, 15_000).catch((err) => {
    throw new Error(
      `nginx did not listen on ${tlsPort} (exit ${nginx?.exitCode} ${nginx?.signalCode}): ${err.message}\n${nginxLog}`,
    );
  });
  https = `https://127.0.0.1:${tlsPort}`;
  http = `http://127.0.0.1:${plainPort}`;
}, 60_000);

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx?.once('exit', r));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await api?.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('deploy/proxy/nginx.conf in front of citygauge --trust-proxy loopback', () => {
  it('serves the API over HTTPS with one HSTS header, the proxy’s', async () => {
    const res = await httpsRequest(`${https}/healthz`, tls.cert);
    expect(res.status).toBe(200);
    expect(res.peerFingerprint256).toBe(tls.fingerprint256);
    expect(res.headers['strict-transport-security']).toBe('max-age=15552000');
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const res = await fetch(`${http}/dashboard`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1\/dashboard$/);
  });

  it('signs in with a Secure cookie, passes the same-site check, and audits the browser’s address', async () => {
    const pw = (await api.people.addLocal('nia', 'viewer', TEST_ACTOR)).oneTimePassword!;
    const res = await httpsRequest(`${https}/signin`, tls.cert, {
      method: 'POST',
      // The browser's own origin: the proxy must keep Host for the check to see the same site.
      headers: { ...FORM, origin: https, 'x-forwarded-for': '203.0.113.9' },
      body: new URLSearchParams({ name: 'nia', password: pw, next: '/' }).toString(),
    });
    expect(res.status, res.body).toBe(303);
    const cookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('cg_session='));
    expect(cookie).toMatch(/; Secure/);
    // nginx appends the address it saw (loopback, trusted) to what came before it.
    const [entry] = await api.people.store.auditPage({ action: 'signin', limit: 1 });
    expect(entry?.address).toBe('203.0.113.9');
  });
});

describe('deploy/proxy/Caddyfile', () => {
  it('is a valid Caddy configuration', () => {
    runTool(
      'caddy',
      ['validate', '--config', CADDY, '--adapter', 'caddyfile'],
      "install Debian's caddy: apt-get install caddy",
      {
        HOME: tempDir('citygauge-caddy-home-'),
      },
    );
  });
});

describe('docs/deploy/tls.md', () => {
  it('shows both files as they are', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'deploy', 'tls.md'), 'utf8');
    const block = (lang: string) => new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
    expect(block('nginx')).toBe(readFileSync(NGINX, 'utf8'));
    expect(block('caddy')).toBe(readFileSync(CADDY, 'utf8'));
  });
});
