// The small HTTP server of a front door or a shard (`--http-port`): public /healthz and /metrics only, for
// Prometheus and for Kubernetes, compose and systemd probes. No API, no people: nothing here reads the city.
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry as PromRegistry } from 'prom-client';
import { type HealthCheck, healthPlugin } from '../http/health.js';
import { metricsPlugin } from '../http/metrics.js';

export interface NodeHttpOptions {
  host: string;
  port: number;
  checks: Record<string, HealthCheck>;
  registry: PromRegistry;
  logger: Logger;
}

export interface NodeHttp {
  /** The port it listens on (the one given, or the free one 0 found). */
  port: number;
  close(): Promise<void>;
}

export async function startNodeHttp(opts: NodeHttpOptions): Promise<NodeHttp> {
  const app = Fastify({
    loggerInstance: opts.logger.child({ component: 'http' }),
    disableRequestLogging: true,
  });
  await app.register(healthPlugin, { checks: opts.checks });
  await app.register(metricsPlugin, { registry: opts.registry });
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () => app.close(),
  };
}

/** What a user types in a browser for an address that listens on every interface. */
export function shownHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}
