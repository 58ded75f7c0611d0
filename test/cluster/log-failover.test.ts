// The log survives kill -9 of one of its three nats-server nodes (the stream's leader, even), and refuses to
// acknowledge an append it cannot replicate: with two of three nodes down there is no quorum, and append
// rejects within its timeout instead of pretending the record is stored.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../cluster/checkpoint-store.js';
import { Leases } from '../../cluster/lease.js';
import { ClusterLog, IN_STREAM, LogUnavailableError } from '../../cluster/log.js';
import type { LogMessage } from '../../cluster/log-record.js';
import { type NatsCluster, startNats } from '../support/nats.js';
import { waitFor } from '../support/wait.js';

let nats: NatsCluster;
let log: ClusterLog;

const message = (i: number): LogMessage => ({
  kind: 'message',
  topic: `city/dev-${i}`,
  payload: Uint8Array.from([i & 0xff, i >> 8]),
  receivedAt: 1_700_000_000_000 + i,
});

/** Index of the node leading the device stream (its name is n<i>). */
async function streamLeader(): Promise<number> {
  const jsm = await log.nc.jetstreamManager();
  const leader = await waitFor('a leader of the device stream', async () => {
    const info = await jsm.streams.info(IN_STREAM).catch(() => undefined);
    return info?.cluster?.leader || undefined;
  });
  return Number(leader.slice(1));
}

async function readAll(from: ClusterLog, partition: number, count: number): Promise<number[]> {
  const seen: number[] = [];
  const reader = await from.read(partition, 0, (e) => {
    if (e.record.kind === 'message') seen.push(e.record.receivedAt - 1_700_000_000_000);
  });
  try {
    await waitFor(
      `${count} records from partition ${partition} (have ${seen.length})`,
      () => seen.length >= count,
    );
  } finally {
    await reader.stop();
  }
  return seen;
}

beforeAll(async () => {
  nats = await startNats();
  log = await ClusterLog.connect(nats.urls, { name: 'failover-test' });
  await log.setup({ partitions: 2 });
});

afterAll(async () => {
  await log?.close();
  await nats?.stop();
});

describe('the log when nats-server nodes die', () => {
  it('keeps what was appended and goes on appending and reading after kill -9 of the stream leader', async () => {
    for (let i = 0; i < 50; i++) await log.append(0, message(i));
    const live: number[] = [];
    const reader = await log.read(0, 0, (e) => {
      if (e.record.kind === 'message') live.push(e.record.receivedAt - 1_700_000_000_000);
    });
    await waitFor('the live reader to catch up before the kill', () => live.length === 50);

    const victim = await streamLeader();
    await nats.kill(victim);
    for (let i = 50; i < 100; i++) await log.append(0, message(i));

    const expected = Array.from({ length: 100 }, (_, i) => i);
    await waitFor(
      `the live reader to see all 100 after the kill (has ${live.length})`,
      () => live.length >= 100,
      // An election, two missed heartbeats and a new consumer: seconds alone, longer on a busy machine.
      60_000,
    );
    expect(live).toEqual(expected);
    await reader.stop();

    // A new client on the surviving nodes reads everything from the start.
    const survivors = nats.urls.filter((_, i) => i !== victim);
    const other = await ClusterLog.connect(survivors);
    try {
      expect(await readAll(other, 0, 100)).toEqual(expected);
    } finally {
      await other.close();
    }

    await nats.restart(victim);
    await nats.ready();
  }, 150_000);

  it('rejects an append within its timeout when two of three nodes are down, and has it all back after', async () => {
    const before = await log.headSeq(1);
    await log.append(1, message(1));
    const impatient = await ClusterLog.connect(nats.urls, { appendTimeoutMs: 3_000 });
    await impatient.partitions(); // as a front door does at start
    const keep = await streamLeader();
    const down = [0, 1, 2].filter((i) => i !== keep);
    for (const i of down) await nats.kill(i);

    const started = Date.now();
    const failed = await impatient.append(1, message(2)).then(
      () => undefined,
      (err: unknown) => err,
    );
    const tookMs = Date.now() - started;
    expect(failed).toBeInstanceOf(LogUnavailableError);
    expect(String((failed as Error).message)).toMatch(
      /did not acknowledge citygauge\.in\.1 within 3000 ms.*no quorum/,
    );
    expect(tookMs).toBeLessThan(15_000);
    await impatient.close();

    for (const i of down) await nats.restart(i);
    await nats.ready();
    // Appends work again once a quorum is back, and the record appended before the outage is still there.
    await waitFor(
      'an append to succeed once the nodes are back',
      () =>
        log.append(1, message(3)).then(
          () => true,
          () => false,
        ),
      30_000,
    );
    const got = await readAll(log, 1, 2);
    expect(got[0]).toBe(1);
    expect(got).toContain(3);
    expect(before).toBe(0);
  }, 120_000);

  it('keeps checkpoints and leases through kill -9 of a node: both read back, and both can be written again', async () => {
    const store = await CheckpointStore.open(log.nc);
    const leases = await Leases.open(log.nc, { ttlMs: 30_000 });
    const state = randomBytes(3 * 1024 * 1024);
    await store.save(0, { logSeq: 77, eventCounter: 5, at: 1_700_000_000_000, state });
    const lease = await leases.tryAcquire('partition.0', 'shard-a');
    expect(lease).not.toBeNull();

    const victim = 1;
    await nats.kill(victim);
    const loaded = await waitFor(
      'the checkpoint to load after the kill',
      () => store.load(0).catch(() => undefined),
      30_000,
    );
    expect(loaded?.logSeq).toBe(77);
    expect(Buffer.from(loaded?.state ?? []).equals(state)).toBe(true);
    const renewed = await waitFor(
      'the lease to renew after the kill',
      () => (lease ? leases.renew(lease).catch(() => undefined) : undefined),
      30_000,
    );
    expect(renewed.owner).toBe('shard-a');
    expect(await leases.tryAcquire('partition.0', 'shard-b')).toBeNull();
    await waitFor(
      'a new checkpoint to save after the kill',
      () =>
        store
          .save(0, { logSeq: 78, eventCounter: 6, at: 1_700_000_000_001, state: state.subarray(0, 1000) })
          .catch(() => undefined),
      30_000,
    );
    expect((await store.load(0))?.logSeq).toBe(78);
    await nats.restart(victim);
    await nats.ready();
  }, 120_000);
});
