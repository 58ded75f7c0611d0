// Free loopback ports for servers the tests start.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel hands out ephemeral ports (ip_local_port_range, 32768–60999 by default) to every outgoing
 * connection, so a port from that range that was free a moment ago can be taken by one of the thousands of
 * client sockets a busy test run opens before the server under test binds it. Free ports come from below
 * that range instead, picked at random so parallel test files rarely try the same one.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 12_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}
const PORT_MIN = 10_000;
const PORT_MAX = ephemeralLow() - 1;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free loopback port between ${PORT_MIN} and ${PORT_MAX} after 200 tries`);
}

/** The first of `count` consecutive free ports (a launcher that lays its ports out from a base). */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN - count));
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await bindable(p);
    if (free) return base;
  }
  throw new Error(
    `no ${count} consecutive free loopback ports between ${PORT_MIN} and ${PORT_MAX} after 200 tries`,
  );
}

/** Resolves once something accepts TCP connections on the port, or rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
