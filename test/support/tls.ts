// A self-signed certificate for 127.0.0.1 made by openssl in the test, and HTTPS requests that trust it
// (node's https module: undici's Agent is not in node_modules, and fetch has no per-call CA).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

export interface SelfSigned {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** SHA-256 fingerprint, as node's TLS sockets report the peer's. */
  fingerprint256: string;
}

export function selfSigned(cn = '127.0.0.1'): SelfSigned {
  const dir = tempDir('citygauge-tls-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=IP:${cn}`,
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    throw new Error(
      e.code === 'ENOENT'
        ? "openssl not found: install Debian's openssl package (apt-get install openssl) to make the test certificate"
        : `openssl req -x509 failed: ${e.stderr?.toString() ?? e.message}`,
    );
  }
  const cert = readFileSync(certFile);
  return {
    certFile,
    keyFile,
    cert,
    key: readFileSync(keyFile),
    fingerprint256: new X509Certificate(cert).fingerprint256,
  };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The certificate the server presented. */
  peerFingerprint256: string;
}

/** One HTTPS request trusting only `ca`. */
export function httpsRequest(
  url: string,
  ca: Buffer,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, ca, agent: false },
      (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            peerFingerprint256: peer.fingerprint256,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
