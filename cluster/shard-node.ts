// `citygauge engine --cluster URL`: an engine shard. It contends for every partition's lease and runs what it
// holds: the partition's last checkpoint restored, its log read after the checkpoint's position, batches
// published for the API nodes, a checkpoint stored every few seconds once the batches before it are
// published, and a clock tick appended every half second so a quiet partition's time moves on. Losing a
// lease stops the partition at once; whoever takes it over resumes from the checkpoint and republishes the
// same batches, which the merge drops.
import type { Logger } from 'pino';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { InventoryStore } from './inventory-store.js';
import { type Lease, LeaseKeeper, type Leases } from './lease.js';
import type { ClusterLog, LogReader } from './log.js';
import { batchMsgId, encodeBatch, type PartialBatch } from './partial-batch.js';
import { partitionDevices } from './partition.js';
import { checkpointExtra } from './partition-checkpoint.js';
import { DEFAULT_GRID_MS, PartitionRunner, type RunnerCheckpoint } from './partition-runner.js';

export interface ShardNodeOptions {
  log: ClusterLog;
  leases: Leases;
  checkpoints: CheckpointStore;
  /** Registry versions: this shard's is stored there at start, and a registry record names the next. */
  inventories: InventoryStore;
  inventory: Inventory;
  catalogue: readonly IndicatorDef[];
  /** This shard's name in leases and logs. */
  id: string;
  logger: Logger;
  tickMs?: number;
  checkpointEveryMs?: number;
  gridMs?: number;
}

interface Running {
  runner: PartitionRunner;
  reader: LogReader | undefined;
  revision: number | undefined;
  /** Publishing and checkpointing happen in log order, one record after another. */
  queue: Promise<void>;
  lastCheckpointAt: number;
  stopped: boolean;
  /** Epoch ms of the last record applied (a tick's, a message's receive time): how far behind the log it is. */
  lastRecordAt: number | undefined;
}

/** A part of the shard as /healthz reports it. */
export interface ShardPart {
  ok: boolean;
  detail?: string;
}

export class ShardNode {
  private readonly keepers: LeaseKeeper[] = [];
  private readonly running = new Map<number, Running>();
  /** The registry version a partition starts on when it has no checkpoint: the one this shard started with. */
  private version = '';
  /** Each version's device → partition map, computed once. */
  private readonly partitionMaps = new Map<string, Map<string, number>>();
  private partitions = 0;
  private ticker: NodeJS.Timeout | undefined;
  private balancer: NodeJS.Timeout | undefined;
  private presence: LeaseKeeper | undefined;
  private stopping = false;
  /** Partitions this shard may hold: all, until it has counted the live shards. */
  private share = Number.POSITIVE_INFINITY;
  /** Batches published, records applied, for /metrics and tests. */
  readonly stats = { batches: 0, records: 0, takeovers: 0, checkpoints: 0 };
  /** Partitions stopped lately by a lost lease or a failed reader, until taken again or forgotten. */
  private readonly troubles = new Map<number, { reason: string; at: number }>();

  constructor(private readonly opts: ShardNodeOptions) {}

  async start(): Promise<void> {
    this.partitions = await this.opts.log.partitions();
    this.version = await this.opts.inventories.put(this.opts.inventory);
    // Presence: the live shards share the partitions, each taking at most its share.
    this.presence = new LeaseKeeper(
      this.opts.leases,
      `shard.${this.opts.id.replace(/[^\w-]/g, '_')}`,
      this.opts.id,
      this.opts.logger,
    );
    this.presence.start();
    for (let p = 0; p < this.partitions; p++) this.keepers.push(this.keeper(p).start());
    const tickMs = this.opts.tickMs ?? 500;
    this.ticker = setInterval(() => this.tick(), tickMs);
    this.balancer = setInterval(() => void this.rebalance(), Math.max(250, this.opts.leases.ttlMs / 3));
  }

  private keeper(p: number): LeaseKeeper {
    const keeper = new LeaseKeeper(
      this.opts.leases,
      `partition-${p}`,
      this.opts.id,
      this.opts.logger,
      () => this.running.size < this.share,
    );
    keeper.on('acquired', (lease: Lease) => void this.take(p, lease));
    keeper.on('lost', (reason: string) => {
      if (!this.stopping && reason !== 'given up to rebalance' && this.running.has(p))
        this.troubles.set(p, { reason: `lease lost (${reason})`, at: Date.now() });
      this.drop(p, reason);
    });
    return keeper;
  }

  /** A shard added or gone changes everyone's share; a shard over its share gives partitions up. */
  private async rebalance(): Promise<void> {
    try {
      const shards = Math.max(1, await this.opts.leases.count('shard'));
      this.share = Math.ceil(this.partitions / shards);
      const extra = this.held().slice(this.share);
      for (const p of extra) {
        this.opts.logger.info(
          { partition: p, shards, share: this.share },
          'giving a partition up to rebalance',
        );
        await this.keepers[p].giveUp();
      }
    } catch (err) {
      this.opts.logger.warn(
        { err: (err as Error).message },
        'could not count the shards; keeping what is held',
      );
    }
  }

  /** Partitions this shard runs now. */
  held(): number[] {
    return [...this.running.keys()].sort((a, b) => a - b);
  }

  /** Per partition held: ms since the time of the last record applied (none yet: since it was taken). */
  lagMs(now = Date.now()): Map<number, number> {
    return new Map(
      [...this.running].map(([p, run]) => [p, Math.max(0, now - (run.lastRecordAt ?? run.lastCheckpointAt))]),
    );
  }

  /**
   * For /healthz: `lease`, whether this shard's presence lease is renewed (else the others count it gone and
   * take its share); `partitions`, whether a partition stopped on a lost lease or a failed log reader within
   * the last two lease TTLs (a passing fault clears by itself, once retaken or forgotten).
   */
  health(now = Date.now()): { lease: ShardPart; partitions: ShardPart } {
    const lease: ShardPart = this.presence?.held
      ? { ok: true }
      : {
          ok: false,
          detail: `shard ${this.opts.id} does not hold its presence lease: the lease bucket is unreachable, or another shard runs with the same --node-id`,
        };
    const windowMs = 2 * this.opts.leases.ttlMs;
    for (const [p, t] of this.troubles) if (now - t.at > windowMs) this.troubles.delete(p);
    const recent = [...this.troubles].sort(([a], [b]) => a - b);
    const partitions: ShardPart =
      recent.length === 0
        ? { ok: true }
        : {
            ok: false,
            detail: recent.map(([p, t]) => `partition ${p}: ${t.reason}`).join('; '),
          };
    return { lease, partitions };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.ticker);
    clearInterval(this.balancer);
    for (const p of [...this.running.keys()]) this.drop(p, 'shard stopping');
    await Promise.all([...this.keepers, this.presence].map((k) => k?.stop()));
  }

  /** A registry version and its partition map (the version as stored: canonical, so every shard agrees). */
  private async registry(
    version: string,
  ): Promise<{ inventory: Inventory; partitionOf: Map<string, number> }> {
    const inventory = await this.opts.inventories.get(version);
    let partitionOf = this.partitionMaps.get(version);
    if (!partitionOf) {
      partitionOf = partitionDevices(inventory, this.partitions);
      this.partitionMaps.set(version, partitionOf);
    }
    return { inventory, partitionOf };
  }

  private async take(p: number, lease: Lease): Promise<void> {
    const { logger, checkpoints, catalogue } = this.opts;
    try {
      const saved = await checkpoints.load(p);
      if (this.stopping) return;
      // The checkpoint's state is in the registry version it was taken in; the log after it says what came next.
      const kept = saved && checkpointExtra(saved.state).version;
      const version = typeof kept === 'string' ? kept : this.version;
      const { inventory, partitionOf } = await this.registry(version);
      if (this.stopping) return;
      const runner = new PartitionRunner(
        inventory,
        catalogue,
        partitionOf,
        p,
        this.opts.gridMs ?? DEFAULT_GRID_MS,
        saved?.state,
        version,
      );
      const run: Running = {
        runner,
        reader: undefined,
        revision: saved?.revision,
        queue: Promise.resolve(),
        lastCheckpointAt: Date.now(),
        stopped: false,
        lastRecordAt: undefined,
      };
      this.running.set(p, run);
      this.troubles.delete(p);
      this.stats.takeovers++;
      logger.info(
        { partition: p, fromSeq: runner.seq, batch: runner.batch, lease: lease.revision },
        saved ? 'took partition over from its checkpoint' : 'took partition, no checkpoint yet',
      );
      run.reader = await this.opts.log.read(p, runner.seq, async (entry) => {
        if (run.stopped) return;
        this.stats.records++;
        const record = entry.record;
        run.lastRecordAt = record.kind === 'message' ? record.receivedAt : record.at;
        let batches: PartialBatch[];
        if (record.kind === 'registry') {
          const next = await this.registry(record.version);
          batches = run.runner.switchTo(
            entry.seq,
            record.at,
            record.version,
            next.inventory,
            next.partitionOf,
          );
        } else batches = run.runner.apply(entry.seq, record);
        if (batches.length === 0) return;
        if (Date.now() - run.lastCheckpointAt >= (this.opts.checkpointEveryMs ?? 5000)) {
          run.runner.requestCheckpoint();
          run.lastCheckpointAt = Date.now();
        }
        const checkpoint = run.runner.takeCheckpoint();
        // The reader waits for this: a checkpoint is stored only after the batches before it are published.
        return this.publish(p, run, batches, checkpoint);
      });
      // A batch that could not be published (or a checkpoint not stored) ends the reader: the partition must
      // not sit still under a lease this shard keeps renewing. Give it up; whoever takes it resumes from the
      // last checkpoint, which is this shard too once the log answers again.
      run.reader.done.catch((err: Error) => {
        if (run.stopped) return;
        this.troubles.set(p, { reason: `its log reader stopped (${err.message})`, at: Date.now() });
        logger.error(
          { partition: p, err: err.message },
          'partition stopped on an error; giving its lease up',
        );
        void this.keepers[p]?.giveUp();
      });
      if (run.stopped) await run.reader.stop();
    } catch (err) {
      // Stopping: the log closed under a partition still starting. Contending again would keep the process up.
      if (this.stopping) return;
      logger.error(
        { partition: p, err: (err as Error).message },
        'could not run partition; another shard may',
      );
      this.troubles.set(p, { reason: `could not start (${(err as Error).message})`, at: Date.now() });
      this.drop(p, 'start failed');
      // Contend again: the failure may be passing (JetStream electing a leader).
      void this.keepers[p]?.stop().then(() => {
        this.keepers[p] = this.keeper(p).start();
      });
    }
  }

  private async publish(p: number, run: Running, batches: PartialBatch[], checkpoint?: RunnerCheckpoint) {
    for (const b of batches) {
      if (run.stopped) return;
      await this.opts.log.publishPartial(p, encodeBatch(b), batchMsgId(b));
      this.stats.batches++;
    }
    if (checkpoint && !run.stopped) {
      run.revision = await this.opts.checkpoints.save(
        p,
        {
          logSeq: checkpoint.seq,
          eventCounter: checkpoint.batch,
          at: checkpoint.at,
          state: checkpoint.state,
        },
        { previousRevision: run.revision },
      );
      this.stats.checkpoints++;
    }
  }

  private drop(p: number, reason: string): void {
    const run = this.running.get(p);
    if (!run) return;
    run.stopped = true;
    this.running.delete(p);
    void run.reader?.stop();
    this.opts.logger.warn({ partition: p, reason }, 'stopped running partition');
  }

  /** A clock tick into each partition held: its time moves on even when no device speaks. */
  private tick(): void {
    const at = Date.now();
    for (const p of this.running.keys()) {
      this.opts.log.append(p, { kind: 'tick', at }).catch((err: unknown) => {
        this.opts.logger.warn({ partition: p, err: (err as Error).message }, 'could not append a tick');
      });
    }
  }
}
