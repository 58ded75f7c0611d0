// The broker's network listeners: MQTT over TCP, over WebSocket (the `ws` package, as aedes' docs do it)
// and over TLS when a certificate and key are given. Each accepted connection is handed over as a stream
// with the peer's address.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';

export type Accept = (conn: Duplex, address: string, req?: IncomingMessage) => void;

export interface ListenOptions {
  host: string;
  mqttPort: number;
  wsPort?: number;
  tls?: { cert: string | Buffer; key: string | Buffer; port: number };
  /** Largest WebSocket message accepted: ws refuses bigger frames before buffering them. */
  maxWsMessageBytes: number;
  /** Errors of a listening server (e.g. out of file descriptors): reported, never thrown. */
  onServerError: (err: Error) => void;
}

export interface Listening {
  mqttPort: number;
  wsPort?: number;
  tlsPort?: number;
  close(): Promise<void>;
}

export async function listen(accept: Accept, opts: ListenOptions): Promise<Listening> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const track = (server: Server) => {
    servers.push(server);
    server.on('error', opts.onServerError);
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    return server;
  };
  const close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };

  try {
    const tcp = track(createNetServer((socket) => accept(socket, addressOf(socket))));
    const mqttPort = await bind(tcp, opts.host, opts.mqttPort);
    const listening: Listening = { mqttPort, close };

    if (opts.wsPort !== undefined) {
      const http = createHttpServer((_req, res) => res.writeHead(426).end('MQTT over WebSocket only\n'));
      track(http);
      const wss = new WebSocketServer({ server: http, maxPayload: opts.maxWsMessageBytes });
      wss.on('connection', (ws, req) => accept(createWebSocketStream(ws), addressOf(req.socket), req));
      // ws re-emits the HTTP server's errors; bind() and onServerError already see them there.
      wss.on('error', () => {});
      listening.wsPort = await bind(http, opts.host, opts.wsPort);
    }
    if (opts.tls) {
      const tls = createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, (socket) =>
        accept(socket, addressOf(socket)),
      );
      track(tls);
      listening.tlsPort = await bind(tls, opts.host, opts.tls.port);
    }
    return listening;
  } catch (err) {
    await close();
    throw err;
  }
}

function addressOf(socket: Socket): string {
  return socket.remoteAddress ?? 'unknown';
}

function bind(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
