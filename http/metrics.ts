// Prometheus `/metrics`: messages in and rejected by reason, broker refusals, evaluation lag, devices online and
// registered.
import type { FastifyPluginAsync } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Registry as PromRegistry } from 'prom-client';
import type { CityEngine } from '../engine/city-engine.js';
import type { FeedStatusView } from '../engine/gtfs-rt/feed-status.js';
import { needs } from './access.js';

export interface MetricsSource {
  engine(): CityEngine;
  evaluationLagMs(): number;
  /** Broker refusals by reason and connected clients, when a broker runs in this process. */
  broker?(): BrokerTallies;
  /** The history sink's tallies (issue 4). */
  history?(): { written: number; spooled: number; spoolBytes: number; rejected: number; dropped: number };
  /** Throws contained while handling a message or a tick, by where they happened (issue 10). */
  internalErrors?(): Record<string, number>;
  /** The GTFS-Realtime feeds polled for L1.2.2 (issue 14). */
  gtfsRt?(): readonly FeedStatusView[];
}

/** A registry with the process and Node.js metrics every citygauge process exposes. */
export function processRegistry(): PromRegistry {
  const registry = new PromRegistry();
  // The process and Node.js metrics under the names every Prometheus client library and Node.js
  // dashboard uses (process_cpu_seconds_total, nodejs_heap_size_used_bytes), without our prefix.
  collectDefaultMetrics({ register: registry });
  // prom-client's nodejs_active_*_total are gauges, and a gauge must not end in _total (promtool check
  // metrics): the same counts stay in nodejs_active_* by type.
  for (const name of ['handles', 'requests', 'resources'])
    registry.removeSingleMetric(`nodejs_active_${name}_total`);
  return registry;
}

export interface BrokerTallies {
  refusals: Record<string, number>;
  connectedClients: number;
}

/**
 * A broker's refusals and clients, under the same names in `citygauge start` and on a cluster's front doors
 * (cluster/node-metrics.ts), so one rule or panel covers both.
 */
export function brokerMetrics(registry: PromRegistry, broker: () => BrokerTallies): void {
  new Counter({
    name: 'citygauge_broker_refusals_total',
    help: 'Connections, publishes and subscriptions the broker refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(broker().refusals)) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'citygauge_broker_connected_clients',
    help: 'MQTT clients connected to this process’s broker',
    registers: [registry],
    collect() {
      this.set(broker().connectedClients);
    },
  });
}

export function createMetrics(source: MetricsSource): PromRegistry {
  const registry = processRegistry();
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
    help: 'Device messages rejected by the engine, by reason (docs/contract.md §3)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(source.engine().rejected)) this.inc({ reason }, n);
    },
  });
  brokerMetrics(registry, () => source.broker?.() ?? { refusals: {}, connectedClients: 0 });
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
  // From the city-scope availability indicators, whose numerators and denominators leave devices in
  // maintenance out: the share of devices down (deploy/prometheus); registered counts them back in.
  const byKind = (
    gauge: Gauge,
    count: (i: ReturnType<CityEngine['snapshot']>['indicators'][number]) => number,
  ) => {
    gauge.reset();
    for (const i of source.engine().snapshot().indicators)
      if (i.scope === 'city' && i.id.startsWith('availability.'))
        gauge.set({ kind: i.id.slice(13) }, count(i));
  };
  new Gauge({
    name: 'citygauge_devices_online',
    help: 'Registered devices online now, by kind (those in maintenance left out)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      byKind(this, (i) => i.numerator ?? 0);
    },
  });
  new Gauge({
    name: 'citygauge_devices_registered',
    help: 'Registered devices, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      byKind(this, (i) => (i.denominator ?? 0) + (i.excluded?.maintenance ?? 0));
    },
  });
  new Gauge({
    name: 'citygauge_devices_in_maintenance',
    help: 'Registered devices in an open maintenance window, by kind (left out of availability)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      byKind(this, (i) => i.excluded?.maintenance ?? 0);
    },
  });
  // Issue 14 item 3: how sure each value is, for alerting on data quality rather than on the value alone.
  new Gauge({
    name: 'citygauge_indicator_coverage_ratio',
    help: 'Share of the devices expected to report for an indicator value heard within their interval (docs/indicators.md)',
    labelNames: ['indicator', 'scope'],
    registers: [registry],
    collect() {
      this.reset();
      for (const i of source.engine().snapshot().indicators) {
        const coverage = i.quality?.coverage;
        if (coverage !== undefined && coverage !== null)
          this.set({ indicator: i.id, scope: i.scope }, coverage);
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
  gtfsRtMetrics(registry, () => source.gtfsRt?.() ?? []);
  return registry;
}

/** Each feed's polls by outcome and refused entities by reason: a feed down or stale shows without logs. */
function gtfsRtMetrics(registry: PromRegistry, feeds: () => readonly FeedStatusView[]): void {
  new Counter({
    name: 'citygauge_gtfs_rt_polls_total',
    help: 'Polls of each GTFS-Realtime feed, by outcome (ok, unchanged, http-error, timeout, unreachable, bad-protobuf, stale)',
    labelNames: ['feed', 'outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of feeds())
        for (const [outcome, n] of Object.entries(f.polls)) this.inc({ feed: f.url, outcome }, n);
    },
  });
  new Counter({
    name: 'citygauge_gtfs_rt_entities_refused_total',
    help: 'GTFS-Realtime entities that counted as no forecast, by feed and reason',
    labelNames: ['feed', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of feeds())
        for (const [reason, n] of Object.entries(f.refused)) this.inc({ feed: f.url, reason }, n);
    },
  });
  new Counter({
    name: 'citygauge_gtfs_rt_forecasts_total',
    help: 'Route arrival forecasts each GTFS-Realtime feed handed to the engine',
    labelNames: ['feed'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of feeds()) this.inc({ feed: f.url }, f.forecasts);
    },
  });
  new Gauge({
    name: 'citygauge_gtfs_rt_last_good_poll_timestamp_seconds',
    help: 'When each GTFS-Realtime feed last gave forecasts that counted (0: never)',
    labelNames: ['feed'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of feeds())
        this.set({ feed: f.url }, f.lastGoodPollAt ? Date.parse(f.lastGoodPollAt) / 1000 : 0);
    },
  });
}

export const metricsPlugin: FastifyPluginAsync<{ registry: PromRegistry }> = async (app, { registry }) => {
  app.get('/metrics', { ...needs('public'), schema: { tags: ['operations'] } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
};
