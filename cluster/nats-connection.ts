// One connection to the cluster's NATS servers, shared by the log, the leases and the checkpoints. It keeps
// reconnecting for ever (a node restart must not take a front door or a shard down) and, when no server
// answers at start, fails with a message that names the fix.
import { connect, type NatsConnection } from 'nats';
import type { Logger } from 'pino';

export class ClusterUnreachableError extends Error {
  readonly code = 'ERR_CLUSTER_UNREACHABLE';
}

export interface NatsConnectOptions {
  /** Shown in the servers' connection list (`/connz`): which node this is, e.g. `front-door-1`. */
  name?: string;
  logger?: Logger;
  /** How long the first connection may take before giving up. */
  timeoutMs?: number;
}

export async function connectNats(
  servers: string[],
  options: NatsConnectOptions = {},
): Promise<NatsConnection> {
  if (servers.length === 0)
    throw new ClusterUnreachableError('no NATS server given: pass --cluster nats://host:4222');
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: options.name ?? 'citygauge',
      timeout: options.timeoutMs ?? 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Try every given server, not only the first, before the first connection fails.
      noRandomize: false,
    });
  } catch (err) {
    throw new ClusterUnreachableError(
      `cannot reach NATS at ${servers.join(', ')} (${(err as Error).message}): start the cluster's nats-server ` +
        '(with JetStream enabled) or fix --cluster',
      { cause: err },
    );
  }
  const logger = options.logger;
  if (logger) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'error')
          logger.warn({ nats: s.type, data: String(s.data) }, 'NATS connection lost; reconnecting');
        else if (s.type === 'reconnect')
          logger.info({ nats: s.type, server: String(s.data) }, 'NATS reconnected');
      }
    })();
  }
  return nc;
}

/**
 * min(3, the servers this client was told of): the replica count for a new stream or bucket. The servers
 * gossip their client URLs once their routes are up, so a node that just started may under-count: setup
 * never lowers the replicas of what exists, and an operator can always say how many.
 */
export function clusterReplicas(nc: NatsConnection): number {
  const info = nc.info as { connect_urls?: string[]; cluster?: string } | undefined;
  if (!info?.cluster) return 1;
  return Math.min(3, Math.max(1, new Set(info.connect_urls ?? []).size));
}
