// Who is calling (issue 12): a person by their session cookie or personal token, the embedded Node-RED
// acting for the person signed in to the dashboard, or the break-glass admin token. Then whether the
// route's role allows it: 401 when nobody is known, 403 when the role falls short, each naming the fix.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseCookies } from 'cookie';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditVia } from '../people/audit-chain.js';
import { KIOSK_COOKIE, kioskViewer } from '../people/kiosk.js';
import type { People } from '../people/people.js';
import type { Session } from '../people/people-store.js';
import { type Access, allows, type Role } from '../people/roles.js';
import type { CredentialStore } from '../registry/credentials.js';
import { isWrite } from './access.js';
import type { AttemptLimit } from './attempt-limit.js';
import { sendError } from './errors.js';

export const SESSION_COOKIE = 'cg_session';
/** The header the embedded Node-RED names the dashboard's person in. */
export const PERSON_HEADER = 'x-citygauge-person';
/** The header a page's script sends its session's CSRF token in (forms send `_csrf`). */
export const CSRF_HEADER = 'x-csrf-token';
/** The audit trail's name for the break-glass admin token. */
export const ADMIN_TOKEN_ACTOR = 'admin-token';

export interface Caller {
  /** An account name, `admin-token`, or the dashboard's service account when it acts for nobody. */
  name: string;
  role: Role;
  via: AuditVia;
  /** The session, when the caller came with a cookie: its CSRF token guards writes. */
  session?: Session;
  /** Signed in with a one-time password: nothing but choosing a new one until then. */
  mustChangePassword?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export interface IdentityOptions {
  people?: People;
  credentials: CredentialStore;
  /** The break-glass token's subject in `credentials` (CITYGAUGE_ADMIN_TOKEN). */
  adminSubject: string;
  /** The embedded Node-RED's service account, which acts for the dashboard's person. */
  dashboardSubject: string;
  /** Callers with nothing may read, as viewers (a city that publishes its figures); else they are refused. */
  anonymousRead?: boolean;
  attempts: AttemptLimit;
  /** Where the break-glass token's every use is logged; the request's own logger when absent. */
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

type Found = { caller: Caller } | { refused: 401 | 403; message: string } | undefined;

export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
}

export function sessionCookieOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookies(header)[SESSION_COOKIE] : undefined;
}

/**
 * The signed-in person of a request to Node-RED (the dashboard, the editor), by its session cookie. A
 * person who must still choose a new password is nobody yet: the sign-in page sends them to do so.
 */
export function whoIsOf(people: People) {
  return async (req: IncomingMessage): Promise<{ name: string; role: Role } | undefined> => {
    const cookies = req.headers.cookie ? parseCookies(req.headers.cookie) : {};
    const cookie = cookies[SESSION_COOKIE];
    const found = cookie ? await people.sessionOf(cookie) : undefined;
    if (found)
      return found.account.mustChangePassword
        ? undefined
        : { name: found.account.name, role: found.account.role };
    // A wall's browser, signed in with a viewer's token (people/kiosk.ts); a person's session comes first.
    const wall = cookies[KIOSK_COOKIE] ? await kioskViewer(people, cookies[KIOSK_COOKIE]) : undefined;
    return wall && { name: wall.name, role: wall.role };
  };
}

/** Who sent `req`, by token or cookie; undefined when it carries neither. */
export async function findCaller(req: FastifyRequest, o: IdentityOptions): Promise<Found> {
  const token = bearerOf(req.headers.authorization);
  if (token) return byToken(req, token, o);
  const cookie = sessionCookieOf(req.raw);
  if (cookie && o.people) {
    const found = await o.people.sessionOf(cookie);
    if (found)
      return {
        caller: {
          name: found.account.name,
          role: found.account.role,
          via: 'session',
          session: found.session,
          mustChangePassword: found.account.mustChangePassword,
        },
      };
  }
  return undefined;
}

async function byToken(req: FastifyRequest, token: string, o: IdentityOptions): Promise<Found> {
  if (o.people && token.startsWith('cgt_')) {
    const found = await o.people.tokenAccount(token);
    if (found) return { caller: { name: found.account.name, role: found.account.role, via: 'token' } };
  } else if (o.credentials.verify(o.adminSubject, token) === 'admin') {
    (o.log ?? req.log).warn(
      { actor: ADMIN_TOKEN_ACTOR, method: req.method, url: req.url, address: req.ip },
      'the break-glass admin token was used: give people accounts and personal tokens instead',
    );
    return { caller: { name: ADMIN_TOKEN_ACTOR, role: 'admin', via: 'break-glass' } };
  } else if (o.credentials.verify(o.dashboardSubject, token) === 'service') {
    return dashboardCaller(req, o);
  }
  o.attempts.failed(req.ip);
  return {
    refused: 401,
    message: 'the bearer token is not valid (mistyped, expired, revoked, or its person is disabled)',
  };
}

/** The embedded dashboard: a viewer itself, or the person it names, with that person's role. */
async function dashboardCaller(req: FastifyRequest, o: IdentityOptions): Promise<Found> {
  const named = req.headers[PERSON_HEADER];
  if (typeof named !== 'string' || named === '')
    return { caller: { name: o.dashboardSubject, role: 'viewer', via: 'dashboard' } };
  const account = await o.people?.account(named);
  if (!account || account.disabled)
    return { refused: 403, message: `the dashboard acts for '${named}', who has no enabled account` };
  return { caller: { name: account.name, role: account.role, via: 'dashboard' } };
}

/** A browser asking for a page (not the API): sent to the sign-in page rather than given a 401. */
function wantsPage(req: FastifyRequest): boolean {
  return req.method === 'GET' && !req.url.startsWith('/api/') && /text\/html/.test(req.headers.accept ?? '');
}

/** Routes a person with a one-time password may still use. */
const BEFORE_NEW_PASSWORD = new Set(['/account/password', '/signout', '/signin', '/api/me']);

/** The onRequest check: who is calling, and whether the route lets them. */
export function checkAccess(o: IdentityOptions) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const access: Access | undefined = req.routeOptions.config?.access;
    // No route matched: the not-found answer says so, whoever asks.
    if (access === undefined) return;
    const found = await findCaller(req, o);
    if (found && 'refused' in found) {
      if (access === 'public') return;
      return sendError(reply, found.refused === 401 ? 'unauthorized' : 'forbidden', found.message);
    }
    const caller =
      found?.caller ??
      (o.anonymousRead
        ? { name: 'anonymous', role: 'viewer' as const, via: 'anonymous' as const }
        : undefined);
    req.caller = caller;
    if (access === 'public') return;
    const route = `${req.method} ${req.routeOptions.url}`;
    if (!caller && wantsPage(req)) return reply.redirect(`/signin?next=${encodeURIComponent(req.url)}`, 303);
    // Nobody known, or an anonymous reader (--anonymous-read) asking for more: the fix is to sign in.
    if (!caller || (caller.via === 'anonymous' && !allows(caller.role, access)))
      return sendError(
        reply,
        'unauthorized',
        `${route} needs ${/^[aeiou]/.test(access) ? 'an' : 'a'} ${access}: sign in at /signin, or send Authorization: Bearer <personal token>`,
      );
    if (caller.mustChangePassword && !BEFORE_NEW_PASSWORD.has(req.routeOptions.url ?? ''))
      return sendError(reply, 'forbidden', 'choose a new password first, at /account/password');
    if (!allows(caller.role, access))
      return sendError(
        reply,
        'forbidden',
        `${route} needs the ${access} role; ${caller.name} has the ${caller.role} role: ask an admin for more`,
      );
  };
}

/**
 * The preValidation check for writes sent with a session cookie (a page's form or script): they carry the
 * session's CSRF token, in `_csrf` or the x-csrf-token header, which another site cannot read. SameSite
 * cookies already stop most cross-site posts; this stops the rest (same-site subdomains, old browsers).
 */
export async function checkCsrf(req: FastifyRequest, reply: FastifyReply) {
  const session = req.caller?.session;
  // A public form (the sign-in) changes nothing of the session's: it checks where it was posted from.
  if (!session || !isWrite(req.method) || req.routeOptions.config?.access === 'public') return;
  const header = req.headers[CSRF_HEADER];
  const field = (req.body as { _csrf?: unknown } | undefined)?._csrf;
  const sent = typeof header === 'string' ? header : typeof field === 'string' ? field : '';
  const a = Buffer.from(sent);
  const b = Buffer.from(session.csrf);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    return sendError(
      reply,
      'forbidden',
      'the form is out of date or came from another site: reload the page and try again',
    );
}
