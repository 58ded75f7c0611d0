// Whether a node's NATS connection is up right now, for its /healthz. nats.js reconnects for ever
// (cluster/nats-connection.ts), so a closed connection is rare: what a probe must see is the gap between a
// `disconnect` and the next `reconnect`, which only the connection's status events tell.
import type { NatsConnection } from 'nats';
import type { HealthCheck } from '../http/health.js';

export interface NatsWatch {
  check: HealthCheck;
}

export function watchNats(nc: NatsConnection, servers: string): NatsWatch {
  let down: string | undefined;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') down = `lost the connection to NATS (${servers}); reconnecting`;
      else if (s.type === 'reconnect') down = undefined;
    }
  })();
  return {
    check() {
      if (nc.isClosed())
        return { ok: false, detail: `the NATS connection (${servers}) is closed: restart this node` };
      return down
        ? { ok: false, detail: `${down}: check that nats-server is up and reachable` }
        : { ok: true };
    },
  };
}
