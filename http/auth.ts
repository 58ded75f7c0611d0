// The break-glass admin token (CITYGAUGE_ADMIN_TOKEN, or printed on first start): an admin's powers with no
// person behind them, for bootstrap and recovery; every use is logged (http/identity.ts). Kept as a digest.
import type { CredentialStore } from '../registry/credentials.js';

export const ADMIN_SUBJECT = 'admin';

/**
 * A chosen admin token is kept as an unsalted SHA-256 digest (fast on purpose, registry/credentials.ts), so
 * only its length stands between a copied registry.sqlite and an offline guess. 24 characters of hex are
 * 96 bits; the tokens we issue have 192.
 */
export const ADMIN_TOKEN_MIN_LENGTH = 24;

/** Why CITYGAUGE_ADMIN_TOKEN cannot be used, or undefined when it can (or is not set). */
export function adminTokenProblem(token = process.env.CITYGAUGE_ADMIN_TOKEN): string | undefined {
  if (!token || token.length >= ADMIN_TOKEN_MIN_LENGTH) return undefined;
  return (
    `CITYGAUGE_ADMIN_TOKEN is ${token.length} characters; it must be at least ${ADMIN_TOKEN_MIN_LENGTH}, ` +
    'as its digest could be guessed offline: make one with `openssl rand -hex 24`, or leave it unset and ' +
    'one is generated and printed on first start'
  );
}

/** The admin token on first start: CITYGAUGE_ADMIN_TOKEN when set, else a new one to print once. */
export function ensureAdminToken(
  credentials: CredentialStore,
  fromEnv = process.env.CITYGAUGE_ADMIN_TOKEN,
): string | undefined {
  const problem = adminTokenProblem(fromEnv);
  if (problem) throw new Error(problem);
  if (fromEnv) {
    credentials.setToken(ADMIN_SUBJECT, 'admin', fromEnv);
    return undefined;
  }
  if (credentials.has(ADMIN_SUBJECT)) return undefined;
  return credentials.issue(ADMIN_SUBJECT, 'admin');
}
