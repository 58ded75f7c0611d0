// Guessing the break-glass admin token through the flows editor is limited per client address (issue 10):
// any request to the editor or the dashboard that carries credentials and is refused (401) counts against
// its address, and an address over the limit is answered 429 with Retry-After until its minute is over,
// before anything else looks at it. People sign in to the editor with their citygauge session now
// (red/editor-auth.ts), and their sign-in is throttled by people/people.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AttemptLimit, tooManyAttempts } from '../http/attempt-limit.js';

export function editorAttemptLimit(attempts: AttemptLimit) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!req.headers.authorization) return next();
    // Express's req.ip: the forwarded address when the request came through a trusted proxy (--trust-proxy).
    const address = (req as IncomingMessage & { ip?: string }).ip ?? req.socket.remoteAddress;
    const wait = attempts.retryAfterS(address);
    if (wait > 0) {
      const refused = tooManyAttempts(wait);
      res.statusCode = refused.statusCode;
      res.setHeader('retry-after', String(wait));
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(refused.body));
      return;
    }
    res.once('finish', () => {
      if (res.statusCode === 401) attempts.failed(address);
    });
    next();
  };
}
