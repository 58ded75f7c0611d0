// Who may open the dashboard (issue 12): the person signed in to citygauge, by their session cookie. Its
// pages send a browser without a session to the sign-in page, and its live channel (socket.io) refuses one.
// Every connection then knows its person: what its widgets send carries them (red/dashboard-people.ts),
// and it is sent only the pages its role may see (red/dashboard-pages.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Role } from '../people/roles.js';
import { configFor, PAGE_ROLES, type UiConfig, widgetOfEvent } from './dashboard-pages.js';

export interface Person {
  name: string;
  role: Role;
}

/** The signed-in person of a request, by its `cg_session` cookie; undefined when nobody is. */
export type WhoIs = (req: IncomingMessage) => Promise<Person | undefined>;

export interface DashboardAuthOptions {
  whoIs: WhoIs;
  /** The sign-in page; it takes `?next=` to come back to. */
  signInPath: string;
  logger: Logger;
  /** The role each restricted page needs (default: red/dashboard-pages.ts PAGE_ROLES). */
  pageRoles?: Readonly<Record<string, Role>>;
}

/** Where the person lands after signing in: the page they asked for, a path on this server only. */
export function signInUrl(signInPath: string, next: string | undefined): string {
  const back = next?.startsWith('/') && !next.startsWith('//') ? next : '/dashboard';
  return `${signInPath}?next=${encodeURIComponent(back)}`;
}

/** What socket.io hands its middleware; socket.data keeps the person for the hooks. */
export interface IoSocket {
  id: string;
  request: IncomingMessage & { originalUrl?: string };
  handshake: { xdomain: boolean };
  client: { conn: { close(): void } };
  data: { person?: Person };
  readonly disconnected: boolean;
  emit(event: string, ...args: unknown[]): boolean;
  use(fn: (packet: unknown[], next: (err?: Error) => void) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  on(event: 'disconnect', fn: () => void): unknown;
  disconnect(close?: boolean): unknown;
}

/** Settings for Dashboard 2.0 (`settings.dashboard`): its page middleware and socket.io middleware. */
export function dashboardSettings(o: DashboardAuthOptions) {
  const pageRoles = o.pageRoles ?? PAGE_ROLES;
  const log = o.logger.child({ component: 'dashboard' });
  const open = new Set<IoSocket>();
  return {
    /**
     * Checks every open connection's session now and closes those signed out, disabled or given another
     * role (their browsers reconnect as what they now are). For after a sign-out or a change to a person:
     * otherwise a connection finds out at the next thing its browser sends.
     */
    recheck: async (): Promise<number> => {
      let closed = 0;
      for (const socket of open) {
        if (socket.disconnected) {
          open.delete(socket);
          continue;
        }
        const person = await o.whoIs(socket.request).catch(() => undefined);
        if (person?.role === socket.data.person?.role) continue;
        socket.disconnect(true);
        closed++;
      }
      return closed;
    },
    middleware: (
      req: IncomingMessage & { originalUrl?: string },
      res: ServerResponse,
      next: (err?: unknown) => void,
    ) => {
      o.whoIs(req).then((person) => {
        if (person) return next();
        const url = req.originalUrl ?? req.url;
        if (req.method === 'GET' || req.method === 'HEAD') {
          res.statusCode = 302;
          res.setHeader('location', signInUrl(o.signInPath, url));
          res.end();
          return;
        }
        res.statusCode = 401;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(`sign in first: ${o.signInPath}\n`);
      }, next);
    },
    // Replaces the dashboard's default socket.io check, so it keeps its rules: no direct WebSocket
    // connections (the handshake goes through HTTP, where the cookie is checked), and same origin only.
    ioMiddleware: (socket: IoSocket, next: (err?: Error) => void) => {
      if ((socket.request.url ?? '').includes('transport=websocket')) {
        socket.client.conn.close();
        return;
      }
      if (socket.handshake.xdomain !== false)
        return next(new Error('cross-origin dashboard connections are refused'));
      o.whoIs(socket.request).then(
        (person) => {
          if (!person) return next(new Error(`sign in first: ${o.signInPath}`));
          socket.data.person = person;
          followPerson(socket, o.whoIs, pageRoles, log);
          // Forgotten at disconnect; a redeploy may drop that listener, so recheck() prunes too.
          open.add(socket);
          socket.on('disconnect', () => open.delete(socket));
          next();
        },
        (err: Error) => next(err),
      );
    },
  };
}

/**
 * Per connection: send only the pages the person's role may see, take nothing from a widget they were not
 * sent, and check their session again before each thing the browser sends, so a person signed out,
 * disabled or given another role since they connected acts no more as they were.
 */
function followPerson(
  socket: IoSocket,
  whoIs: WhoIs,
  pageRoles: Readonly<Record<string, Role>>,
  log: Logger,
) {
  let full: UiConfig | undefined;
  let withheld = new Set<string>();
  const cut = () => {
    const person = socket.data.person;
    if (!full || !person) return undefined;
    const view = configFor(full, person.role, pageRoles);
    withheld = view.withheldWidgets;
    return view.config;
  };
  const emit = socket.emit.bind(socket);
  socket.emit = (event: string, ...args: unknown[]) => {
    if (event === 'ui-config') {
      // emit('ui-config', baseId, config)
      full = args[1] as UiConfig;
      return emit(event, args[0], cut(), ...args.slice(2));
    }
    const widget = widgetOfEvent(event);
    if (widget && withheld.has(widget)) return false;
    return emit(event, ...args);
  };
  socket.use(([event, widget]: unknown[], next: (err?: Error) => void) => {
    whoIs(socket.request).then(
      (person) => {
        // Signed out, or another role now: close, and the browser's reconnect starts over as they are.
        if (!person || person.role !== socket.data.person?.role) {
          next(new Error(person ? 'the person’s role changed' : 'signed out'));
          socket.disconnect(true);
          return;
        }
        socket.data.person = person;
        if (typeof widget === 'string' && withheld.has(widget))
          return next(new Error(`'${String(event)}' from a widget ${person.role}s are not shown`));
        next();
      },
      (err: Error) => next(err),
    );
  });
  socket.on('error', (err) => log.warn({ socket: socket.id, person: socket.data.person?.name }, err.message));
}
