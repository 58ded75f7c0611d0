// TLS on the city's own ports (issue 13): the certificate and key an operator names with --tls-cert and
// --tls-key, read and checked once, for MQTT over TLS (`broker`) and HTTPS (`start`, `engine --http-port`,
// `api`); and --trust-proxy, for a city that a reverse proxy terminates TLS for instead.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from './errors.js';

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

export interface HttpsFlags {
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: string[];
}

const MAKE_ONE =
  'make one with: openssl req -x509 -newkey rsa:2048 -nodes -days 365 -keyout key.pem -out cert.pem ' +
  '-subj /CN=<host> -addext subjectAltName=DNS:<host>';

/**
 * The PEM pair of --tls-cert and --tls-key, or undefined when neither is given. A file that cannot be
 * read, is not PEM, or a key that is not the certificate's stops the command (exit 2) naming the file,
 * before any port is opened: Node would only say so at the first handshake.
 */
export function readTlsPair(certFile?: string, keyFile?: string): TlsPair | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new UsageError('TLS needs both --tls-cert and --tls-key');
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new UsageError(`cannot read ${flag} ${file}: ${(err as Error).message}; ${MAKE_ONE}`);
    }
  };
  const pair = { cert: read(certFile, '--tls-cert'), key: read(keyFile, '--tls-key') };
  try {
    createSecureContext({ key: pair.key });
  } catch (err) {
    throw new UsageError(`--tls-key ${keyFile} is not a PEM private key (${reason(err)}); ${MAKE_ONE}`);
  }
  try {
    createSecureContext(pair);
  } catch (err) {
    const mismatch = /mismatch/i.test(reason(err));
    throw new UsageError(
      mismatch
        ? `--tls-key ${keyFile} is not the key of --tls-cert ${certFile}; give the pair openssl made together, or ${MAKE_ONE}`
        : `--tls-cert ${certFile} is not a PEM certificate (${reason(err)}); ${MAKE_ONE}`,
    );
  }
  return pair;
}

function reason(err: unknown): string {
  return (err as Error).message.replace(/^error:[0-9A-F]+:/, '');
}

/** Names proxy-addr knows for address ranges (fastify's `trustProxy` is proxy-addr's). */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `--trust-proxy loopback` or `--trust-proxy 10.0.0.0/8,192.168.1.7`: the addresses of the reverse proxies
 * whose X-Forwarded-For and X-Forwarded-Proto are believed. Anything else stops the command (exit 2):
 * a typo here would silently trust nobody, or everybody.
 */
export function trustProxyFlag(value: string, previous: string[] = []): string[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new InvalidArgumentError('Expected loopback or a list of addresses/CIDRs.');
  for (const entry of entries) {
    if (RANGE_NAMES.has(entry)) continue;
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max);
    if (!family || rest.length > 0 || !okBits)
      throw new InvalidArgumentError(
        `'${entry}' is not an address, a CIDR range (10.0.0.0/8) or one of ${[...RANGE_NAMES].join(', ')}.`,
      );
  }
  return [...previous, ...entries];
}

/** --tls-cert, --tls-key and --trust-proxy on a command that serves the HTTP API. */
export function addHttpsOptions(cmd: Command): Command {
  return cmd
    .option('--tls-cert <file>', 'PEM certificate: with --tls-key, serve HTTPS (and send HSTS)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option(
      '--trust-proxy <addresses>',
      'reverse proxies whose X-Forwarded-Proto/-For are believed: loopback, or addresses/CIDRs (a,b)',
      trustProxyFlag,
    );
}

/** The scheme of the URLs a command prints and gives its own parts. */
export function httpScheme(tls: TlsPair | undefined): 'http' | 'https' {
  return tls ? 'https' : 'http';
}
