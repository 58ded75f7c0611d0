// The cluster's log on a real 3-node JetStream cluster: per-partition order, replay from a position, at-least-
// once delivery across a reader crash, de-duplicated partials, and a partition count fixed at setup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterLog, type LogEntry, type LogReader, LogSetupError } from '../../cluster/log.js';
import { LogPositions } from '../../cluster/log-position.js';
import type { LogMessage } from '../../cluster/log-record.js';
import { type NatsCluster, startNats } from '../support/nats.js';
import { waitFor } from '../support/wait.js';

const PARTITIONS = 4;
let nats: NatsCluster;
let log: ClusterLog;

const message = (partition: number, i: number): LogMessage => ({
  kind: 'message',
  topic: `city/p${partition}/dev-${i}`,
  payload: Uint8Array.from([i & 0xff, 0x00, 0xff, partition]),
  receivedAt: 1_700_000_000_000 + i,
  frontDoor: 'fd-1',
});

/** Reads a partition after `afterSeq` until `count` entries arrived. */
async function readN(partition: number, afterSeq: number, count: number, from = log): Promise<LogEntry[]> {
  const got: LogEntry[] = [];
  const reader = await from.read(partition, afterSeq, (e) => {
    got.push(e);
  });
  try {
    await waitFor(
      `${count} records of partition ${partition} after seq ${afterSeq} (got ${got.length})`,
      () => got.length >= count,
    );
  } finally {
    await reader.stop();
  }
  return got;
}

beforeAll(async () => {
  nats = await startNats();
  log = await ClusterLog.connect(nats.urls, { name: 'log-test' });
  await log.setup({ partitions: PARTITIONS });
});

afterAll(async () => {
  await log?.close();
  await nats?.stop();
});

describe('the cluster log', () => {
  it('replicates the streams on all three nodes and records the partition count for every node to read', async () => {
    const jsm = await log.nc.jetstreamManager();
    const info = await jsm.streams.info('CITYGAUGE_IN');
    expect(info.config.num_replicas).toBe(3);
    expect(info.config.subjects).toEqual(['citygauge.in.*']);
    expect((await jsm.streams.info('CITYGAUGE_PARTIAL')).config.num_replicas).toBe(3);
    const other = await ClusterLog.connect([nats.urls[2] as string]);
    try {
      expect(await other.partitions()).toBe(PARTITIONS);
    } finally {
      await other.close();
    }
  });

  it('keeps the partition count fixed: the same count again is fine, another is refused with the fix', async () => {
    await log.setup({ partitions: PARTITIONS });
    const other = await ClusterLog.connect(nats.urls);
    try {
      await expect(other.setup({ partitions: 8 })).rejects.toThrow(LogSetupError);
      await expect(other.setup({ partitions: 8 })).rejects.toThrow(/set up with 4 partitions, not 8.*Use 4/);
      expect(await other.partitions()).toBe(PARTITIONS);
    } finally {
      await other.close();
    }
  });

  it('refuses a partition outside the count', async () => {
    await expect(log.append(PARTITIONS, { kind: 'tick', at: 1 })).rejects.toThrow(
      /partition 4 is outside the log's 0..3/,
    );
  });

  it('delivers each partition’s records in the order they were appended, with their bytes, from any position', async () => {
    const perPartition = 40;
    const seqs: number[][] = [[], [], [], []];
    // Partitions are written concurrently, each one record after the other.
    await Promise.all(
      [0, 1, 2, 3].map(async (p) => {
        for (let i = 0; i < perPartition; i++) {
          const record = i % 10 === 9 ? { kind: 'tick' as const, at: 1_700_000_000_000 + i } : message(p, i);
          seqs[p]?.push(await log.append(p, record));
        }
      }),
    );
    for (const p of [0, 1, 2, 3]) {
      const got = await readN(p, 0, perPartition);
      expect(got.map((e) => e.seq)).toEqual(seqs[p]);
      expect(got[0]?.record).toEqual(message(p, 0));
      expect(got[9]?.record).toEqual({ kind: 'tick', at: 1_700_000_000_009 });
      expect(got.at(-1)?.pending).toBe(0);
      // From a position in the middle: exactly the records after it.
      const middle = seqs[p]?.[19] as number;
      const rest = await readN(p, middle, perPartition - 20);
      expect(rest.map((e) => e.seq)).toEqual(seqs[p]?.slice(20));
      expect(rest[0]?.record).toEqual(message(p, 20));
      expect(await log.headSeq(p)).toBe(seqs[p]?.at(-1));
    }
  });

  it('delivers at least once: a reader that crashes before saving its position gets everything after the saved one', async () => {
    const p = 1;
    const positions = await LogPositions.open(log.nc);
    await positions.save('indexer', p, await log.headSeq(p)); // it had handled all there was
    const appended: number[] = [];
    for (let i = 0; i < 30; i++) appended.push(await log.append(p, message(p, 1000 + i)));

    // The first reader process handles records, saves its durable position every 10, and dies after the
    // 25th without saving (its connection is gone with it).
    const first = await ClusterLog.connect(nats.urls, { name: 'reader-1' });
    const firstPositions = await LogPositions.open(first.nc);
    const handled: number[] = [];
    let crashed!: () => void;
    const crash = new Promise<void>((r) => {
      crashed = r;
    });
    const startAt = await firstPositions.load('indexer', p);
    const reader: LogReader = await first.read(p, startAt, async (e) => {
      if (handled.length >= 25) return;
      handled.push(e.seq);
      if (handled.length % 10 === 0) await firstPositions.save('indexer', p, e.seq);
      if (handled.length === 25) crashed();
    });
    await crash;
    await reader.stop();
    await first.nc.close();

    // The restarted process resumes after the saved position: records 21–25 come again, nothing is skipped.
    const second = await ClusterLog.connect(nats.urls, { name: 'reader-2' });
    try {
      const saved = await (await LogPositions.open(second.nc)).load('indexer', p);
      expect(saved).toBe(appended[19]);
      const again = await readN(p, saved, appended.length - 20, second);
      expect(again.map((e) => e.seq)).toEqual(appended.slice(20));
      expect(new Set([...handled, ...again.map((e) => e.seq)])).toEqual(new Set(appended));
    } finally {
      await second.close();
    }
  });

  it('moves a durable position only forward', async () => {
    const positions = await LogPositions.open(log.nc);
    expect(await positions.load('api-1', 0)).toBe(0);
    expect(await positions.save('api-1', 0, 50)).toBe(50);
    expect(await positions.save('api-1', 0, 40)).toBe(50); // a late save from a replaced reader
    expect(await positions.load('api-1', 0)).toBe(50);
    expect(await positions.load('api-2', 0)).toBe(0); // each consumer its own
    await expect(positions.save('bad name', 0, 1)).rejects.toThrow(/only letters, digits/);
  });

  it('keeps reading records appended while it reads, and stops cleanly', async () => {
    const p = 2;
    const start = await log.headSeq(p);
    const got: number[] = [];
    const reader = await log.read(p, start, (e) => {
      got.push(e.seq);
    });
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++) seqs.push(await log.append(p, message(p, 2000 + i)));
    await waitFor('the live reader to see 20 new records', () => got.length === 20);
    expect(got).toEqual(seqs);
    expect(reader.position).toBe(seqs.at(-1));
    await reader.stop();
    await expect(reader.done).resolves.toBeUndefined();
    const after = await log.append(p, message(p, 3000));
    // Against a witness: a reader started after the stop sees the new record, the stopped one never does.
    const seen: number[] = [];
    const witness = await log.read(p, start, (e) => {
      seen.push(e.seq);
    });
    await waitFor('the witness reader to see the record appended after the stop', () => seen.includes(after));
    await witness.stop();
    expect(got).toHaveLength(20);
  });

  it('skips and counts a malformed record without losing the ones after it', async () => {
    const p = 3;
    const start = await log.headSeq(p);
    const js = log.nc.jetstream();
    await js.publish('citygauge.in.3', Uint8Array.from([0x09, 0x01]));
    const good = await log.append(p, message(p, 4000));
    const got: LogEntry[] = [];
    const reader = await log.read(p, start, (e) => {
      got.push(e);
    });
    await waitFor('the record after the malformed one', () => got.length === 1);
    expect(got[0]?.seq).toBe(good);
    expect(reader.malformed).toBe(1);
    await reader.stop();
  });

  it('ends a reader whose handler throws, with that error, so its position is not advanced past it', async () => {
    const p = 3;
    const start = await log.headSeq(p);
    const seq = await log.append(p, message(p, 5000));
    const reader = await log.read(p, start, () => {
      throw new Error('engine refused');
    });
    await expect(reader.done).rejects.toThrow('engine refused');
    expect(reader.position).toBe(start);
    expect(seq).toBeGreaterThan(start);
  });

  it('stores a republished partial once (msgId de-duplication) and reads partials in order', async () => {
    const a = await log.publishPartial(0, Uint8Array.from([1, 2, 3]), 'shard-a/0/1');
    const dup = await log.publishPartial(0, Uint8Array.from([1, 2, 3]), 'shard-a/0/1');
    const b = await log.publishPartial(0, Uint8Array.from([4]), 'shard-a/0/2');
    expect(dup).toEqual({ seq: a.seq, duplicate: true });
    expect(a.duplicate).toBe(false);
    const got: { seq: number; data: number[]; msgId: string | undefined }[] = [];
    const reader = await log.readPartials(0, 0, (e) => {
      got.push({ seq: e.seq, data: [...e.data], msgId: e.msgId });
    });
    await waitFor('two partials', () => got.length >= 2);
    await reader.stop();
    expect(got).toEqual([
      { seq: a.seq, data: [1, 2, 3], msgId: 'shard-a/0/1' },
      { seq: b.seq, data: [4], msgId: 'shard-a/0/2' },
    ]);
  });

  it('names the fix when no NATS server answers', async () => {
    await expect(ClusterLog.connect(['nats://127.0.0.1:1'], { timeoutMs: 1_000 })).rejects.toThrow(
      /cannot reach NATS at nats:\/\/127.0.0.1:1 .*start the cluster's nats-server/,
    );
  });
});
