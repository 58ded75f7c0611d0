// `citygauge engine --cluster URL`: an engine shard of a cluster (cluster/shard-node.ts). It reads the
// inventory like the one-process engine (the registry in --data-dir, or --inventory), joins the log and
// runs the partitions it wins the leases of, until SIGTERM.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { CheckpointStore } from '../cluster/checkpoint-store.js';
import { InventoryStore } from '../cluster/inventory-store.js';
import { Leases } from '../cluster/lease.js';
import type { ClusterLog } from '../cluster/log.js';
import { watchNats } from '../cluster/nats-health.js';
import { type NodeHttp, shownHost, startNodeHttp } from '../cluster/node-http.js';
import { shardMetrics } from '../cluster/node-metrics.js';
import { ShardNode } from '../cluster/shard-node.js';
import type { Inventory } from '../registry/inventory.js';
import { type ClusterFlags, joinLog, whileJoining } from './cluster-flags.js';
import { CliError, UsageError } from './errors.js';
import { loadCatalogue, loadInventoryStrictly } from './load-city.js';
import { createLogger } from './logger.js';
import { openRegistryBackend } from './open-registry.js';
import { onStopSignal } from './shutdown.js';

export interface ShardFlags extends ClusterFlags {
  db?: string;
  dataDir: string;
  inventory?: string;
  indicators?: string;
  nodeId?: string;
  /** /healthz and /metrics on this port (off unless given), on --host. */
  httpPort?: number;
  host: string;
}

/** The inventory a cluster node works from: --inventory DIR, else the registry (--db, or --data-dir). */
export async function clusterInventory(
  opts: { dataDir: string; inventory?: string; db?: string },
  log: Logger,
): Promise<Inventory> {
  if (opts.inventory) return loadInventoryStrictly(opts.inventory);
  const store = await openRegistryBackend(opts, log);
  try {
    if (store.isEmpty())
      throw new UsageError(
        `the registry in '${store.path}' is empty: run citygauge import DIR first, or pass --inventory DIR`,
      );
    return store.load();
  } finally {
    await store.close();
  }
}

export async function runShard(opts: ShardFlags): Promise<void> {
  const id = opts.nodeId ?? `shard-${hostname()}-${process.pid}`;
  const log = createLogger('shard').child({ node: id });
  const inventory = await clusterInventory(opts, log);
  const catalogue = loadCatalogue(opts.inventory, opts.indicators);
  const clusterLog = await joinLog(opts, id, log);
  const leases = await whileJoining(
    'opening the lease bucket',
    () => Leases.open(clusterLog.nc, { ttlMs: opts.leaseTtlMs }),
    log,
  );
  const checkpoints = await whileJoining(
    'opening the checkpoint store',
    () => CheckpointStore.open(clusterLog.nc),
    log,
  );
  const inventories = await whileJoining(
    'opening the registry versions',
    () => InventoryStore.open(clusterLog.nc),
    log,
  );
  // Stored here, while JetStream may still be electing the store's leader; the shard's own put is then a no-op.
  await whileJoining('storing the registry version', () => inventories.put(inventory), log);
  const shard = new ShardNode({
    log: clusterLog,
    leases,
    checkpoints,
    inventories,
    inventory,
    catalogue,
    id,
    logger: log,
  });
  await shard.start();
  const partitions = await clusterLog.partitions();
  const http = opts.httpPort === undefined ? undefined : await serveShard(shard, clusterLog, opts, log);
  log.info({ devices: inventory.devices.size, partitions }, 'shard running');
  process.stdout.write(
    `citygauge engine shard ${id}: ${inventory.devices.size.toLocaleString('en')} devices, ${partitions} partitions in the log at ${opts.cluster}\n` +
      (http ? `  health and metrics http://${shownHost(opts.host)}:${http.port}/healthz, /metrics\n` : '') +
      '  it runs the partitions whose leases it holds; Ctrl-C stops it (another shard takes them over).\n',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
  log.info({ signal, held: shard.held(), stats: shard.stats }, 'shard stopping');
  await http?.close();
  await shard.stop();
  await clusterLog.close();
}

async function serveShard(
  shard: ShardNode,
  clusterLog: ClusterLog,
  opts: ShardFlags,
  log: Logger,
): Promise<NodeHttp> {
  const nats = watchNats(clusterLog.nc, opts.cluster!);
  return startNodeHttp({
    host: opts.host,
    port: opts.httpPort!,
    logger: log,
    checks: {
      nats: nats.check,
      lease: () => shard.health().lease,
      partitions: () => shard.health().partitions,
    },
    registry: shardMetrics({
      stats: () => shard.stats,
      held: () => shard.held(),
      lagMs: () => shard.lagMs(),
    }),
  }).catch(async (err: NodeJS.ErrnoException) => {
    await shard.stop();
    await clusterLog.close();
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
      throw new CliError(
        `cannot serve /healthz on ${opts.host}:${opts.httpPort}: ${err.message}; choose another --http-port`,
      );
    throw err;
  });
}
