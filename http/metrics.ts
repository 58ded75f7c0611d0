// Prometheus `/metrics`: messages in and rejected by reason, broker refusals, evaluation lag, devices online and
// registered.
import type { FastifyPluginAsync } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Registry as PromRegistry } from 'prom-client';
import type { CityEngine } from '../engine/city-engine.js';
import { needs } from './access.js';

export interface MetricsSource {
  engine(): CityEngine;
  evaluationLagMs(): number;
  /** Broker refusals by reason and connected clients, when a broker runs in this process. */
  broker?(): { refusals: Record<string, number>; connectedClients: number };
  /** The history sink's tallies (issue 4). */
  history?(): { written: number; spooled: number; spoolBytes: number; rejected: number; dropped: number };
  /** Throws contained while handling a message or a tick, by where they happened (issue 10). */
  internalErrors?(): Record<string, number>;
}

export function createMetrics(source: MetricsSource): PromRegistry {
  const registry = new PromRegistry();
  // The process and Node.js metrics under the names every Prometheus client library and Node.js
  // dashboard uses (process_cpu_seconds_total, nodejs_heap_size_used_bytes), without our prefix.
  collectDefaultMetrics({ register: registry });
  // prom-client's nodejs_active_*_total are gauges, and a gauge must not end in _total (promtool check
  // metrics): the same counts stay in nodejs_active_* by type.
  for (const name of ['handles', 'requests', 'resources'])
    registry.removeSingleMetric(`nodejs_active_${name}_total`);
  // Counters read from the engine's own tallies at scrape time: nothing on the message path.
  new Counter({
    name: 'citygauge_messages_accepted_total',
    help: 'Device messages accepted by the engine',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(source.engine().accepted);
    },
  });
  new Counter({
    name: 'citygauge_messages_rejected_total',
    help: 'Device messages rejected by the engine, by reason (CONTRACT §3)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(source.engine().rejected)) this.inc({ reason }, n);
    },
  });
  new Counter({
    name: 'citygauge_broker_refusals_total',
    help: 'Connections, publishes and subscriptions the broker refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(source.broker?.().refusals ?? {})) this.inc({ reason }, n);
    },
  });
  new Counter({
    name: 'citygauge_internal_errors_total',
    help: 'Internal errors contained while handling a message or a tick (the message skipped), by where',
    labelNames: ['where'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [where, n] of Object.entries(source.internalErrors?.() ?? {})) this.inc({ where }, n);
    },
  });
  new Gauge({
    name: 'citygauge_evaluation_lag_seconds',
    help: 'Time the last snapshot took to evaluate and publish',
    registers: [registry],
    collect() {
      this.set(source.evaluationLagMs() / 1000);
    },
  });
  new Gauge({
    name: 'citygauge_broker_connected_clients',
    help: 'MQTT clients connected to the embedded broker',
    registers: [registry],
    collect() {
      this.set(source.broker?.().connectedClients ?? 0);
    },
  });
  new Gauge({
    name: 'citygauge_devices_online',
    help: 'Registered devices online now, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      const s = source.engine().snapshot();
      for (const i of s.indicators) {
        if (i.scope === 'city' && i.id.startsWith('availability.'))
          this.set({ kind: i.id.slice(13) }, i.numerator ?? 0);
      }
    },
  });
  // The same indicators' denominators: with devices_online, the share of devices down (deploy/prometheus).
  new Gauge({
    name: 'citygauge_devices_registered',
    help: 'Registered devices, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const i of source.engine().snapshot().indicators) {
        if (i.scope === 'city' && i.id.startsWith('availability.'))
          this.set({ kind: i.id.slice(13) }, i.denominator ?? 0);
      }
    },
  });
  for (const [key, name, help] of [
    ['written', 'citygauge_history_points_written_total', 'History points written to the store'],
    [
      'rejected',
      'citygauge_history_points_rejected_total',
      'History points the database refused as bad data',
    ],
    [
      'dropped',
      'citygauge_history_points_dropped_total',
      'Raw device states dropped because the spool was full',
    ],
  ] as const) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(source.history?.()[key] ?? 0);
      },
    });
  }
  new Gauge({
    name: 'citygauge_history_spool_bytes',
    help: 'Bytes of history waiting on disk for InfluxDB',
    registers: [registry],
    collect() {
      this.set(source.history?.().spoolBytes ?? 0);
    },
  });
  return registry;
}

export const metricsPlugin: FastifyPluginAsync<{ registry: PromRegistry }> = async (app, { registry }) => {
  app.get('/metrics', { ...needs('public'), schema: { tags: ['operations'] } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};
