// Prometheus figures of the cluster's front doors and shards (their /metrics, cluster/node-http.ts), named
// like the API's (http/metrics.ts) and read from each part's own tallies at scrape time. The broker's
// refusals and clients keep the API's names, so one rule or panel covers a `citygauge start` and a door.
import { Counter, Gauge, type Registry as PromRegistry } from 'prom-client';
import type { FrontDoorStats } from '../broker/front-door.js';
import { type BrokerTallies, brokerMetrics, processRegistry } from '../http/metrics.js';

type DoorTallies = Pick<FrontDoorStats, 'appended' | 'failed' | 'lost' | 'pending'>;

export interface DoorSource {
  /** The front door's tallies; absent for a broker outside a cluster. */
  door?(): DoorTallies;
  broker(): BrokerTallies;
}

export interface ShardSource {
  stats(): { batches: number; records: number; takeovers: number; checkpoints: number };
  /** Partitions this shard runs now. */
  held(): number[];
  /** Per partition held: how far behind the log its last applied record is, in ms. */
  lagMs(): Map<number, number>;
}

function counter(registry: PromRegistry, name: string, help: string, value: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(value());
    },
  });
}

export function doorMetrics(source: DoorSource): PromRegistry {
  const registry = processRegistry();
  brokerMetrics(registry, source.broker);
  if (source.door) frontDoorFigures(registry, source.door);
  return registry;
}

/** What a front door adds: the messages it handed to the log, and the appends the log did not take. */
function frontDoorFigures(registry: PromRegistry, door: () => DoorTallies): void {
  counter(
    registry,
    'citygauge_door_messages_forwarded_total',
    'Device messages this front door appended to the log',
    () => door().appended,
  );
  new Counter({
    name: 'citygauge_door_log_append_failures_total',
    help: 'Appends the log did not take, by outcome: resent (QoS 1/2, the device resends) or lost (QoS 0, Wills)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      const s = door();
      this.inc({ outcome: 'resent' }, s.failed);
      this.inc({ outcome: 'lost' }, s.lost);
    },
  });
  new Gauge({
    name: 'citygauge_door_appends_pending',
    help: 'Device messages waiting for the log to take them',
    registers: [registry],
    collect() {
      this.set(door().pending);
    },
  });
}

export function shardMetrics(source: ShardSource): PromRegistry {
  const registry = processRegistry();
  for (const [key, name, help] of [
    [
      'records',
      'citygauge_shard_records_applied_total',
      'Log records (messages, ticks, registry changes) applied',
    ],
    ['batches', 'citygauge_shard_batches_published_total', 'Partial batches published for the API nodes'],
    ['checkpoints', 'citygauge_shard_checkpoints_total', 'Partition checkpoints stored'],
    [
      'takeovers',
      'citygauge_shard_partition_takeovers_total',
      'Partitions this shard took a lease of and ran',
    ],
  ] as const)
    counter(registry, name, help, () => source.stats()[key]);
  new Gauge({
    name: 'citygauge_shard_partitions_owned',
    help: 'Partitions this shard holds the lease of and runs',
    registers: [registry],
    collect() {
      this.set(source.held().length);
    },
  });
  new Gauge({
    name: 'citygauge_shard_partition_lag_seconds',
    help: 'Per partition held: age of the last log record applied (ticks are appended every 0.5 s)',
    labelNames: ['partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [p, ms] of source.lagMs()) this.set({ partition: String(p) }, ms / 1000);
    },
  });
  return registry;
}
