// A TCP relay between clients and a server that the test opens and closes: closed, it drops every
// connection at once, so the test decides when devices may reach a restarted server (after its own
// subscriber is in place, say). A server that goes away drops the relayed connections with it.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

export interface TcpGate {
  /** Where clients connect. */
  readonly url: string;
  open(): void;
  close(): void;
  stop(): Promise<void>;
}

export async function tcpGate(targetPort: number): Promise<TcpGate> {
  let isOpen = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    if (!isOpen) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const close = () => {
    isOpen = false;
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    open: () => {
      isOpen = true;
    },
    close,
    stop: async () => {
      close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
