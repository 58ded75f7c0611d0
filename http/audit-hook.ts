// Every successful write is appended to the audit trail (issue 12): who (the caller), from where, when, the
// route's action, what it was done to and what changed. A route tells what changed with `recordChange`;
// one that says nothing records its target from the path and its request body as the new state. Secrets
// never enter the trail, whatever a body holds.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { People } from '../people/people.js';

export interface AuditChange {
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    change?: AuditChange;
    /** The people service audited this call itself (it audits the command line's changes alike). */
    audited?: boolean;
  }
}

export function recordChange(req: FastifyRequest, change: AuditChange): void {
  req.change = { ...req.change, ...change };
}

const SECRET_KEY = /secret|password|token|digest|hash/i;

/** `value` with every field whose name says secret, password, token, digest or hash blanked. */
export function redacted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redacted);
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redacted(v)]),
    );
  }
  return value;
}

/** The actor of a request, as People's methods and the trail take it. */
export function actorOf(req: FastifyRequest) {
  const caller = req.caller;
  return {
    name: caller?.name ?? 'anonymous',
    role: caller?.role ?? null,
    via: caller?.via ?? ('anonymous' as const),
    address: req.ip,
  };
}

/** The onSend hook: append the entry before the answer leaves, so an answered write is always on record. */
export function auditWrites(people: People) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const action = req.routeOptions.config?.audit;
    if (!action || req.audited || reply.statusCode >= 400) return payload;
    const params = (req.params ?? {}) as Record<string, string>;
    const change = req.change ?? {};
    const body = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? req.body : null;
    const target = change.target !== undefined ? change.target : (Object.values(params)[0] ?? null);
    const after = change.after !== undefined ? change.after : body;
    await people.record(actorOf(req), action, target, redacted(change.before ?? null), redacted(after));
    return payload;
  };
}
