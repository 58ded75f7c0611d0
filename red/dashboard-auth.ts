// Who may open the dashboard. Dashboard 2.0 has no login of its own, yet its pages act for the people using
// them (acknowledge alerts, register devices) with the embedded Node-RED's account. So: HTTP Basic auth in
// front of its pages and its socket.io handshake — the person's name as user, a shared dashboard password —
// unless the city listens on loopback only and no password was set.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type DashboardAccess =
  | { mode: 'open' }
  | { mode: 'password'; verify: (password: string) => boolean; hint: string };

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * CITYGAUGE_DASHBOARD_PASSWORD when set; else open on a loopback-only city; else the admin token.
 * A city reachable from the network never gets an open dashboard by accident.
 */
export function dashboardAccess(
  host: string,
  isAdminToken: (token: string) => boolean,
  password = process.env.CITYGAUGE_DASHBOARD_PASSWORD,
): DashboardAccess {
  if (password) {
    const want = Buffer.from(password);
    return {
      mode: 'password',
      verify: (p) => {
        const got = Buffer.from(p);
        return got.length === want.length && timingSafeEqual(got, want);
      },
      hint: 'your name and CITYGAUGE_DASHBOARD_PASSWORD',
    };
  }
  if (LOOPBACK.has(host)) return { mode: 'open' };
  return { mode: 'password', verify: isAdminToken, hint: 'your name and the admin token' };
}

/** The user name of valid Basic credentials, or undefined. */
export function basicUser(header: string | undefined, verify: (password: string) => boolean) {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) return undefined;
  return verify(text.slice(colon + 1)) ? text.slice(0, colon) : undefined;
}

interface IoSocket {
  request: IncomingMessage;
  handshake: { xdomain: boolean };
  client: { conn: { close(): void } };
}

/** Settings for Dashboard 2.0 (`settings.dashboard`): its page middleware and socket.io middleware. */
export function dashboardSettings(access: DashboardAccess) {
  const verify = access.mode === 'password' ? access.verify : () => true;
  const allowed = (req: IncomingMessage) =>
    access.mode === 'open' || !!basicUser(req.headers.authorization, verify);
  return {
    middleware: (req: IncomingMessage, res: ServerResponse, next: () => void) => {
      if (allowed(req)) return next();
      res.statusCode = 401;
      res.setHeader('WWW-Authenticate', 'Basic realm="citygauge dashboard", charset="UTF-8"');
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(access.mode === 'password' ? `log in with ${access.hint}\n` : 'unauthorized\n');
    },
    // Replaces the dashboard's default socket.io check, so it keeps its rules: no direct WebSocket
    // connections (the handshake goes through HTTP, where the credentials are), and same origin only.
    ioMiddleware: (socket: IoSocket, next: (err?: Error) => void) => {
      if ((socket.request.url ?? '').includes('transport=websocket')) {
        socket.client.conn.close();
        return;
      }
      if (socket.handshake.xdomain !== false)
        return next(new Error('cross-origin dashboard connections are refused'));
      if (!allowed(socket.request)) return next(new Error('log in to the dashboard first'));
      next();
    },
  };
}
