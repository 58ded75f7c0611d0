// An API node of the cluster: every partition's batch stream, read from its start, merged into one city
// (cluster/live-merge.ts), and what the city publishes from it: indicators and devices down (retained), alerts
// and history. Any number of API nodes read the same streams and hold the same city; the one holding the
// `api-leader` lease sends the output, writes the alert log and the shared history (issue 11 item 5).
import type { Logger } from 'pino';
import type { AlertLog } from '../engine/alerts/alert-log.js';
import type { AlertEvent } from '../engine/alerts/alert-machine.js';
import type { Snapshot } from '../engine/city-engine.js';
import { DownPublisher } from '../engine/down-publisher.js';
import { Faults } from '../engine/faults.js';
import { IndicatorPublisher } from '../engine/indicator-publisher.js';
import { HistoryFeed } from '../engine/sinks/history-feed.js';
import type { HistorySink } from '../engine/sinks/points.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import { CityOutput } from './city-output.js';
import { ClusterAlerts } from './cluster-alerts.js';
import type { InventoryStore } from './inventory-store.js';
import { LeaseKeeper, type Leases } from './lease.js';
import { LeaderHistory } from './led-history.js';
import { LiveMerge } from './live-merge.js';
import { type ClusterLog, PARTIAL_STREAM } from './log.js';
import type { SubjectReader } from './log-reader.js';
import { decodeBatch } from './partial-batch.js';

export const LEADER_LEASE = 'api-leader';

export interface ApiNodeOptions {
  log: ClusterLog;
  leases: Leases;
  inventory: Inventory;
  catalogue: readonly IndicatorDef[];
  partitions: number;
  id: string;
  logger: Logger;
  /** Registry versions the shards' batches name (cluster/inventory-store.ts). */
  inventories: InventoryStore;
  /** The alert log the leader writes (PostgreSQL behind --db, shared by every node). */
  alertStore: AlertLog;
  /**
   * Where history goes. `shared`: one database for every node (InfluxDB), written by the leader alone;
   * otherwise each node's own embedded store, which each node writes.
   */
  history?: { sink: HistorySink; shared: boolean };
}

/** A city message (docs/contract.md §4) as the API node sends it. */
export const alertTopic = (e: AlertEvent) => `city/alerts/${e.alert.indicator}`;
export const alertPayload = (e: AlertEvent) =>
  JSON.stringify({ event: e.type, at: new Date(e.at).toISOString(), ...e.alert });

export class ApiNode {
  readonly merge: LiveMerge;
  readonly output: CityOutput;
  readonly alerts: ClusterAlerts;
  readonly faults: Faults;
  private readonly leader: LeaseKeeper;
  private readonly history: LeaderHistory | undefined;
  private readonly feed: HistoryFeed | undefined;
  private latestSnapshot: Snapshot | undefined;
  private readers: SubjectReader[] = [];
  /** Registry versions the batches named so far. */
  private readonly versions = new Map<string, Inventory>();
  /** Per partition: the merge has read every batch that was there when the node started. */
  private readonly caughtUp: boolean[];
  /** Batches that could not be read or merged, per partition: the node then stops merging that partition. */
  readonly failed: number[];

  constructor(private readonly o: ApiNodeOptions) {
    const logger = o.logger;
    this.faults = new Faults({
      log: (where, err, suppressed) =>
        logger.error({ err, where, suppressed }, `internal error in ${where}: skipped, the merge goes on`),
    });
    this.merge = new LiveMerge(o.inventory, o.catalogue, o.partitions);
    this.failed = new Array(o.partitions).fill(0);
    this.caughtUp = new Array(o.partitions).fill(false);
    this.output = new CityOutput(o.log, logger);
    const engine = this.merge.merge.engine;

    this.alerts = new ClusterAlerts(
      o.inventory.city.thresholds,
      o.alertStore,
      o.log,
      (e) => this.output.event(alertTopic(e), alertPayload(e), `${e.alert.alertId}:${e.type}`, e.at),
      (err) => this.faults.report('alerts', err),
      logger,
    );
    this.alerts.attach(engine);
    if (o.history) {
      this.history = o.history.shared ? new LeaderHistory(o.history.sink) : undefined;
      const sink = this.history ?? o.history.sink;
      this.feed = new HistoryFeed({
        write: this.faults.guard('history', (points) => sink.write(points)),
        flush: () => sink.flush(),
        close: () => sink.close(),
        stats: () => sink.stats(),
      });
      this.feed.attach(engine);
    }
    const retained = (topic: string, payload: string) => this.output.retain(topic, payload);
    const indicators = new IndicatorPublisher(
      new Map(o.catalogue.map((d) => [d.id, { name: d.name, unit: d.unit }])),
      retained,
    );
    const down = new DownPublisher(engine, retained);
    // A registry change reached the merge: everything that follows the engine follows the rebuilt one.
    this.merge.onRebuild.push((inventory) => {
      const rebuilt = this.merge.merge.engine;
      this.alerts.service.setThresholds(inventory.city.thresholds, rebuilt);
      this.feed?.attach(rebuilt);
      down.setEngine(rebuilt);
      logger.info({ devices: inventory.devices.size }, 'registry changed: the merged city follows it');
    });
    const consumers: [string, (s: Snapshot) => void][] = [
      ['latest', (s) => (this.latestSnapshot = s)],
      ['retained-publisher', (s) => indicators.onSnapshot(s)],
      ['alerts', (s) => this.alerts.onSnapshot(s)],
      ['devices-down', (s) => down.onSnapshot(s)],
      ...(this.feed
        ? [['history', (s: Snapshot) => this.feed?.onSnapshot(s)] as [string, (s: Snapshot) => void]]
        : []),
    ];
    for (const [where, f] of consumers) {
      this.merge.onSnapshot.push((s) => {
        try {
          f(s);
        } catch (err) {
          this.faults.report(where, err);
        }
      });
    }

    // Only a node that has merged the history may lead: one still catching up would send old values as news.
    this.leader = new LeaseKeeper(o.leases, LEADER_LEASE, o.id, logger, () => this.isCaughtUp);
    this.leader.on('acquired', () => {
      logger.info({ node: o.id }, 'leading: this node sends the city output and writes alerts and history');
      this.alerts.lead();
      this.history?.lead();
      this.output.lead();
    });
    this.leader.on('lost', (reason) => {
      logger.warn({ node: o.id, reason }, 'no longer leading');
      this.output.follow();
      this.history?.follow();
      this.alerts.follow();
    });
  }

  get leading(): boolean {
    return this.leader.held;
  }

  get isCaughtUp(): boolean {
    return this.caughtUp.every(Boolean);
  }

  async start(): Promise<void> {
    await this.alerts.start();
    for (let p = 0; p < this.o.partitions; p++) {
      const head = await this.o.log.headSeq(p, PARTIAL_STREAM);
      this.caughtUp[p] = head === 0;
      this.readers.push(
        await this.o.log.readPartials(p, 0, async (entry) => {
          if (entry.seq >= head) this.caughtUp[p] = true;
          try {
            const batch = decodeBatch(entry.data);
            const v = batch.version;
            if (v !== undefined && !this.versions.has(v))
              this.versions.set(v, await this.o.inventories.get(v));
            this.merge.add(batch, this.versions);
          } catch (err) {
            this.failed[p]++;
            this.o.logger.error(
              { partition: p, seq: entry.seq, err: (err as Error).message },
              'could not merge a batch',
            );
          }
        }),
      );
    }
    this.leader.start();
  }

  /** The city as of the latest instant every partition has reached. */
  latest(): Snapshot | undefined {
    return this.latestSnapshot;
  }

  async stop(): Promise<void> {
    await this.leader.stop();
    await Promise.all(this.readers.map((r) => r.stop()));
    await this.alerts.stop();
    await this.feed?.sink.close();
    await this.alerts.log.close();
  }
}
