// Node-RED and the HTTP API share one port (issue 5): fastify owns the http.Server, and requests under
// Node-RED's prefixes are handed to Node-RED's express app before fastify routes them. WebSocket upgrades
// (the editor's comms, the dashboard's socket.io) attach to the same server by themselves.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** URL prefixes Node-RED answers: its editor and admin API, and Dashboard 2.0. */
export const RED_PREFIXES = ['/red', '/dashboard'] as const;

export function isRedPath(url: string | undefined): boolean {
  if (!url) return false;
  return RED_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`));
}

export interface SharedServer {
  /** Pass as fastify's `serverFactory`. */
  factory: (handler: RequestHandler) => Server;
  /** Start routing Node-RED's prefixes to `app`; until then fastify answers them (404). */
  mount(app: RequestHandler): void;
  /**
   * Close the open WebSockets (editor comms, dashboard socket.io). Upgraded sockets are no longer the
   * http.Server's, so closing it would otherwise wait for every open browser tab.
   */
  closeWebSockets(): void;
}

export function sharedServer(): SharedServer {
  let side: RequestHandler | undefined;
  const upgraded = new Set<Duplex>();
  return {
    factory: (handler) => {
      const server = createServer((req, res) =>
        side && isRedPath(req.url) ? side(req, res) : handler(req, res),
      );
      server.on('upgrade', (_req, socket: Duplex) => {
        upgraded.add(socket);
        socket.once('close', () => upgraded.delete(socket));
      });
      return server;
    },
    mount(app) {
      side = app;
    },
    closeWebSockets() {
      for (const socket of upgraded) socket.destroy();
      upgraded.clear();
    },
  };
}
