// The flows editor's login and credentials, limited per client address (issue 10). Node-RED's own limit
// counts attempts per user name across all addresses (5 in 10 minutes, then "wait 10 minutes"), so anyone
// could lock the admin out by failing as `admin`. Here the login (`POST /red/auth/token`) is checked first:
// a wrong password is answered here and counted against its address only, and never reaches Node-RED, whose
// counter then sees only successes (which reset it). Any other request to the editor or the dashboard that
// carries credentials Node-RED or the dashboard refuse (401) counts against its address too, and an address
// over the limit is answered 429 with Retry-After until its minute is over.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type AttemptLimit, tooManyAttempts } from '../http/attempt-limit.js';

export interface EditorLoginOptions {
  attempts: AttemptLimit;
  /** True for the editor's user (`admin`) and its password (the admin token). */
  isAdminLogin: (username: string, password: string) => boolean;
}

const TOKEN_PATH = '/red/auth/token';

function sendJson(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

const hasCredentials = (req: IncomingMessage) => !!req.headers.authorization;

/** Express middleware for the Node-RED app, before Node-RED's own routes. */
export function editorLoginLimit(opts: EditorLoginOptions) {
  const { attempts } = opts;
  const parse = [express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' })];
  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    const address = req.socket.remoteAddress;
    const isLogin = req.method === 'POST' && req.path === TOKEN_PATH;
    if (!isLogin && !hasCredentials(req)) return next();
    const wait = attempts.retryAfterS(address);
    if (wait > 0) return sendJson(res, 429, tooManyAttempts(wait), { 'retry-after': String(wait) });
    if (!isLogin) {
      res.once('finish', () => {
        if (res.statusCode === 401) attempts.failed(address);
      });
    }
    next();
  });
  router.post(TOKEN_PATH, ...parse, (req: Request, res: Response, next: NextFunction) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'password') return next();
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (opts.isAdminLogin(username, password)) return next();
    attempts.failed(req.socket.remoteAddress);
    // 403 as Node-RED answers a wrong password (OAuth's invalid_grant), so the editor shows its own message.
    sendJson(res, 403, {
      error: 'forbidden',
      message: 'wrong user name or password: log in as admin with the admin token',
    });
  });
  return router;
}
