// Writes need `Authorization: Bearer <admin token>` (CONTRACT §5). The token is kept only as a digest.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type CredentialStore, EMBEDDED_RED_SUBJECT } from '../registry/credentials.js';
import { attemptLimitOf } from './attempt-limit.js';
import { sendError } from './errors.js';

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

export function requireAdmin(credentials: CredentialStore) {
  const limit = attemptLimitOf(credentials);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const address = request.socket.remoteAddress;
    // An address over its limit never gets here: http/server.ts answers it 429 first.
    if (!token || !isOperatorToken(credentials, token)) {
      if (token) limit.failed(address);
      return sendError(
        reply,
        401,
        'unauthorized',
        'writes need Authorization: Bearer <admin token> (printed on first start)',
      );
    }
  };
}

/** The admin token, or the embedded Node-RED's, which acts for the people using the dashboard. */
export function isOperatorToken(credentials: CredentialStore, token: string): boolean {
  return (
    credentials.verify(ADMIN_SUBJECT, token) === 'admin' ||
    credentials.verify(EMBEDDED_RED_SUBJECT, token) === 'service'
  );
}
