// A sign-in at the identity provider that has begun and not yet come back: its state, nonce, PKCE verifier
// and where to go afterwards, kept in the browser's `cg_oidc` cookie rather than on the server, so the
// callback may land on any API node of a cluster.
//
// The value is not signed: it only ever works for the browser holding it, the provider's answer must
// carry the same state, the provider checks the verifier against the challenge it was sent, and the
// destination is checked again when the value comes back. Tampering with it can only break one's own
// sign-in.
import { z } from 'zod';

/** A flow started longer ago than this is refused (the cookie's Max-Age says the same to the browser). */
export const PENDING_TTL_MS = 10 * 60_000;
export const OIDC_PENDING_COOKIE = 'cg_oidc';
/** The cookie goes only to the sign-in routes: `/auth/oidc/login` sets it, `/auth/oidc/callback` reads it. */
export const OIDC_PENDING_COOKIE_PATH = '/auth/oidc';
/** Where a sign-in goes when it was not sent anywhere, or to somewhere it must not go. */
export const DEFAULT_NEXT = '/dashboard';

export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A path on this site. */
  next: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

const Pending = z.object({
  v: z.literal(1),
  s: z.string().min(1).max(200),
  n: z.string().min(1).max(200),
  c: z.string().min(43).max(128),
  x: z.string().max(2000),
  e: z.number().int(),
});

export function sealPending(p: PendingSignIn): string {
  const body = { v: 1, s: p.state, n: p.nonce, c: p.codeVerifier, x: p.next, e: p.expiresAt };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The flow a cookie holds, or undefined when it is missing, malformed or expired. */
export function openPending(sealed: string | undefined, now: number): PendingSignIn | undefined {
  if (!sealed || sealed.length > 4000) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(sealed, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = Pending.safeParse(json);
  if (!parsed.success || now >= parsed.data.e) return undefined;
  const p = parsed.data;
  return { state: p.s, nonce: p.n, codeVerifier: p.c, next: safeNext(p.x), expiresAt: p.e };
}

/**
 * `next` when it is a path on this site, else `fallback`: a sign-in must never send a person on to
 * another site (`//evil.example`, `/\evil.example` and `https://…` all would).
 */
export function safeNext(next: unknown, fallback = DEFAULT_NEXT): string {
  if (typeof next !== 'string' || next.length > 2000) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || [...next].some(unsafeInPath)) return fallback;
  const base = 'http://citygauge.invalid';
  try {
    return new URL(next, base).origin === base ? next : fallback;
  } catch {
    return fallback;
  }
}

/** A backslash (browsers read it as `/`) or a control character (URL parsing drops tabs and newlines). */
function unsafeInPath(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return ch === '\\' || code < 0x20 || code === 0x7f;
}
