// Node-RED and the HTTP API share one port (issue 5): fastify owns the http.Server, and requests under
// Node-RED's prefixes are handed to Node-RED's express app before fastify routes them. WebSocket upgrades
// (the editor's comms, the dashboard's socket.io) attach to the same server by themselves. With a TLS pair
// the server is an https.Server, so the dashboard's socket.io and the editor's comms are wss on that port.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
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
  /** The server speaks HTTPS (the city serves TLS itself: HSTS goes on every page). */
  readonly secure: boolean;
  /**
   * With TLS, a plain-HTTP listener on 127.0.0.1 (a port the system picks) answering exactly as the TLS
   * port does, for the embedded flows' own API calls; its URL, or undefined without TLS. Closed by
   * closeWebSockets, with the connections that outlive the main server.
   */
  loopbackUrl(): Promise<string | undefined>;
}

export function sharedServer(tls?: { cert: Buffer | string; key: Buffer | string }): SharedServer {
  let side: RequestHandler | undefined;
  let route: RequestHandler | undefined;
  let loopback: Server | undefined;
  const upgraded = new Set<Duplex>();
  return {
    secure: tls !== undefined,
    factory: (handler) => {
      route = (req, res) => (side && isRedPath(req.url) ? side(req, res) : handler(req, res));
      const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, route) : createServer(route);
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
      loopback?.closeAllConnections();
      loopback?.close();
    },
    async loopbackUrl() {
      if (!tls) return undefined;
      if (!route) throw new Error('loopbackUrl() before fastify built its server');
      if (!loopback) {
        const server = createServer(route);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve());
        });
        loopback = server;
      }
      return `http://127.0.0.1:${(loopback.address() as AddressInfo).port}`;
    },
  };
}
