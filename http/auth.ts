// Writes need `Authorization: Bearer <admin token>` (CONTRACT §5). The token is kept only as a digest.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CredentialStore } from '../registry/credentials.js';
import { sendError } from './errors.js';

export const ADMIN_SUBJECT = 'admin';

/** The admin token on first start: CITYGAUGE_ADMIN_TOKEN when set, else a new one to print once. */
export function ensureAdminToken(
  credentials: CredentialStore,
  fromEnv = process.env.CITYGAUGE_ADMIN_TOKEN,
): string | undefined {
  if (fromEnv) {
    credentials.setToken(ADMIN_SUBJECT, 'admin', fromEnv);
    return undefined;
  }
  if (credentials.has(ADMIN_SUBJECT)) return undefined;
  return credentials.issue(ADMIN_SUBJECT, 'admin');
}

export function requireAdmin(credentials: CredentialStore) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token || credentials.verify(ADMIN_SUBJECT, token) !== 'admin') {
      return sendError(
        reply,
        401,
        'unauthorized',
        'writes need Authorization: Bearer <admin token> (printed on first start)',
      );
    }
  };
}
