// The random secrets people/ hands out and keeps only as digests: session cookies and personal tokens.
// Both are 192 bits or more of randomness, so a fast SHA-256 digest is as safe to keep as a slow hash.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A session cookie's value: 256 bits. */
export const newSessionSecret = () => randomBytes(32).toString('base64url');
/** The token forms carry against cross-site posts. */
export const newCsrfToken = () => randomBytes(24).toString('base64url');

/** `cgt_` marks a personal token in logs and secret scanners; the id is public, the rest the secret. */
const TOKEN = /^cgt_([0-9a-f]{16})_([A-Za-z0-9_-]{32})$/;

export function newPersonalToken(): { id: string; secret: string; token: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  return { id, secret, token: `cgt_${id}_${secret}` };
}

export function parsePersonalToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}
