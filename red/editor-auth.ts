// The flows editor (/red) is for admins (issue 12), signed in the way they sign in to the rest of citygauge
// (a password or the city's OpenID provider): no second login. Two layers:
// - a gate in front of everything under /red checks the session on every request: signed out → the sign-in
//   page, signed in without the admin role → 403 saying so;
// - Node-RED's own `adminAuth` is a passport strategy that reads the same session (`type: 'strategy'`,
//   `autoLogin`), so opening the editor hands the admin a Node-RED token without asking anything.
// The break-glass admin token (CITYGAUGE_ADMIN_TOKEN) still opens the editor's admin API as a bearer
// token, for scripts and for a city whose people store is broken; each use is logged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errorBody } from '../http/errors.js';
import { type Person, signInUrl, type WhoIs } from './dashboard-auth.js';

export interface EditorAuthOptions {
  whoIs: WhoIs;
  signInPath: string;
  /** True for the break-glass admin token. */
  isAdminToken: (token: string) => boolean;
  /** Whether the account is an enabled admin now (its Node-RED token stops working the moment it is not). */
  isAdmin?: (name: string) => Promise<boolean>;
  logger: Logger;
}

/** Where the editor lives (Node-RED's httpAdminRoot). */
export const EDITOR_ROOT = '/red';
/** A Node-RED token lives as long as a session may (people/people.ts DEFAULT_SESSION_POLICY). */
const TOKEN_LIFETIME_S = 12 * 3600;

const bearerOf = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function refuse(req: IncomingMessage, res: ServerResponse, status: 401 | 403, message: string) {
  res.statusCode = status;
  if ((req.headers.accept ?? '').includes('text/html')) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>citygauge · flows editor</title></head>` +
        `<body><h1>Flows editor</h1><p>${escapeHtml(message)}</p><p><a href="/dashboard">Back to the dashboard</a></p></body></html>\n`,
    );
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(errorBody(status === 401 ? 'unauthorized' : 'forbidden', message)));
}

export const notAdminMessage = (p: Person) =>
  `the flows editor is for admins: you are signed in as ${p.name}, a ${p.role}. ` +
  'Ask an admin for the role, or sign in as an admin.';

/** Connect-style middleware for every request under /red, before Node-RED's own. */
export function editorGate(o: EditorAuthOptions) {
  const log = o.logger.child({ component: 'flows-editor' });
  return (
    req: IncomingMessage & { originalUrl?: string },
    res: ServerResponse,
    next: (err?: unknown) => void,
  ) => {
    const token = bearerOf(req.headers.authorization);
    if (token && o.isAdminToken(token)) {
      log.warn(
        { actor: 'admin-token', method: req.method, url: req.originalUrl ?? req.url },
        'the break-glass admin token was used on the flows editor',
      );
      return next();
    }
    o.whoIs(req).then((person) => {
      if (person?.role === 'admin') return next();
      if (person) return refuse(req, res, 403, notAdminMessage(person));
      if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
        res.statusCode = 302;
        res.setHeader('location', signInUrl(o.signInPath, req.originalUrl ?? req.url));
        res.end();
        return;
      }
      refuse(req, res, 401, `sign in as an admin first: ${o.signInPath}`);
    }, next);
  };
}

/** What passport hands a strategy while it authenticates one request. */
interface PassportActions {
  success(user: object): void;
  redirect(url: string): void;
  error(err: Error): void;
  fail(status: number): void;
}
type Verify = (profile: object, done: (err: Error | null, user?: object | false) => void) => void;

/** Node-RED's `adminAuth` for admins signed in to citygauge. */
export function editorAdminAuth(o: EditorAuthOptions) {
  // Profiles this process made from a checked session: Node-RED's `authenticate` takes nothing else, so
  // no request body can pose as one.
  const vouched = new WeakSet<object>();
  const admins = new Set<string>();
  const userOf = (name: string) => ({ username: name, permissions: '*' });

  class SessionStrategy {
    readonly name = 'citygauge-session';
    constructor(
      _options: object,
      private readonly verify: Verify,
    ) {}
    authenticate(this: SessionStrategy & PassportActions, req: IncomingMessage) {
      o.whoIs(req).then((person) => {
        if (!person) return this.redirect(signInUrl(o.signInPath, `${EDITOR_ROOT}/`));
        if (person.role !== 'admin') return this.error(new Error(notAdminMessage(person)));
        const profile = { username: person.name };
        vouched.add(profile);
        this.verify(profile, (err, user) => {
          if (err) this.error(err);
          else if (user) this.success(user);
          else this.fail(403);
        });
      }, this.error.bind(this));
    }
  }

  return {
    type: 'strategy',
    strategy: {
      name: 'citygauge-session',
      label: 'Sign in with citygauge',
      autoLogin: true,
      strategy: SessionStrategy,
      options: {},
    },
    sessionExpiryTime: TOKEN_LIFETIME_S,
    // Node-RED's token for an admin resolves to them while they still are one: the editor's live channel
    // (a WebSocket, past the gate) authenticates with it too. The gate checks their session on every request.
    users: async (username: string) =>
      admins.has(username) && (await (o.isAdmin?.(username) ?? Promise.resolve(true)))
        ? userOf(username)
        : null,
    authenticate: async (profile: unknown) => {
      if (typeof profile !== 'object' || profile === null || !vouched.has(profile)) return null;
      const { username } = profile as { username: string };
      admins.add(username);
      return userOf(username);
    },
    tokens: async (token: string) => (o.isAdminToken(token) ? userOf('admin-token') : null),
  };
}
