// The cluster's parts on a single nats-server (a developer's machine, or a quick test): the log, leases and
// checkpoints take one replica by themselves, and asking for more replicas than nodes names the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../cluster/checkpoint-store.js';
import { Leases } from '../../cluster/lease.js';
import { ClusterLog, IN_STREAM, LogSetupError } from '../../cluster/log.js';
import { type NatsCluster, startNats } from '../support/nats.js';

let nats: NatsCluster;
let log: ClusterLog;

beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
  log = await ClusterLog.connect(nats.urls);
});

afterAll(async () => {
  await log?.close();
  await nats?.stop();
});

describe('the cluster parts on one nats-server', () => {
  it('refuses three replicas on one node, naming the fix', async () => {
    const other = await ClusterLog.connect(nats.urls);
    try {
      const setup = other.setup({ partitions: 2, replicas: 3 });
      await expect(setup).rejects.toThrow(LogSetupError);
      await expect(other.setup({ partitions: 2, replicas: 3 })).rejects.toThrow(
        /with 3 replicas.*start more nodes/,
      );
    } finally {
      await other.close();
    }
  });

  it('sets up one replica by itself, appends and reads back', async () => {
    await log.setup({ partitions: 2 });
    const jsm = await log.nc.jetstreamManager();
    expect((await jsm.streams.info(IN_STREAM)).config.num_replicas).toBe(1);
    const seq = await log.append(1, { kind: 'tick', at: 42 });
    const got: number[] = [];
    const reader = await log.read(1, 0, (e) => {
      if (e.record.kind === 'tick') got.push(e.record.at);
    });
    await expect.poll(() => got, { timeout: 10_000 }).toEqual([42]);
    expect(reader.position).toBe(seq);
    await reader.stop();
  });

  it('opens leases and checkpoints with one replica', async () => {
    const leases = await Leases.open(log.nc, { ttlMs: 5_000 });
    const lease = await leases.tryAcquire('api-leader', 'api-1');
    expect(lease?.owner).toBe('api-1');
    const store = await CheckpointStore.open(log.nc);
    await store.save(0, { logSeq: 1, eventCounter: 0, at: 0, state: Uint8Array.from([9]) });
    expect((await store.load(0))?.state).toEqual(Uint8Array.from([9]));
  });
});
