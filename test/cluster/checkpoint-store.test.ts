// Partition checkpoints in the JetStream object store on the real 3-node cluster: a multi-MB state comes back
// byte for byte with its log position, a half-written checkpoint is never loaded (the previous one is), a
// reader racing a writer gets one whole checkpoint or the other, and a stale owner cannot overwrite.
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection, nuid } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_BUCKET,
  type Checkpoint,
  CheckpointConflictError,
  CheckpointFormatError,
  CheckpointStore,
  decodeCheckpoint,
  encodeCheckpoint,
} from '../../cluster/checkpoint-store.js';
import { type NatsCluster, startNats } from '../support/nats.js';

const MB = 1024 * 1024;
let nats: NatsCluster;
let nc: NatsConnection;
let store: CheckpointStore;

const checkpoint = (logSeq: number, state: Uint8Array): Checkpoint => ({
  logSeq,
  eventCounter: logSeq * 3,
  at: 1_700_000_000_000 + logSeq,
  state,
});

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.urls });
  store = await CheckpointStore.open(nc, { replicas: 3 });
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('checkpoints', () => {
  it('has none for a partition never checkpointed', async () => {
    expect(await store.load(7)).toBeNull();
  });

  it('loads a multi-MB state byte for byte with its log position, counter and time', async () => {
    const state = randomBytes(8 * MB);
    const revision = await store.save(0, checkpoint(1234, state));
    const loaded = await store.load(0);
    expect(loaded?.revision).toBe(revision);
    expect(loaded?.logSeq).toBe(1234);
    expect(loaded?.eventCounter).toBe(3702);
    expect(loaded?.at).toBe(1_700_000_001_234);
    expect(loaded?.state.length).toBe(state.length);
    expect(Buffer.from(loaded?.state ?? []).equals(state)).toBe(true);

    const next = randomBytes(3 * MB);
    await store.save(0, checkpoint(2000, next));
    const again = await store.load(0);
    expect(again?.logSeq).toBe(2000);
    expect(Buffer.from(again?.state ?? []).equals(next)).toBe(true);
  }, 60_000);

  it('loads the previous checkpoint, not a half-written one from a writer killed mid-save', async () => {
    const previous = randomBytes(2 * MB);
    await store.save(1, checkpoint(500, previous));
    // What a writer killed halfway leaves: chunks of a new object under a fresh id, and no metadata naming them.
    const js = nc.jetstream();
    const orphan = nuid.next();
    const half = encodeCheckpoint(checkpoint(900, randomBytes(4 * MB))).subarray(0, 2 * MB);
    for (let at = 0; at < half.length; at += 128 * 1024) {
      await js.publish(`$O.${CHECKPOINT_BUCKET}.C.${orphan}`, half.subarray(at, at + 128 * 1024));
    }
    const loaded = await store.load(1);
    expect(loaded?.logSeq).toBe(500);
    expect(Buffer.from(loaded?.state ?? []).equals(previous)).toBe(true);
  }, 60_000);

  it('gives a reader racing a writer one whole checkpoint or the other, never a mix', async () => {
    const states = new Map<number, Buffer>();
    for (let seq = 1; seq <= 6; seq++) states.set(seq, randomBytes(2 * MB + seq));
    await store.save(2, checkpoint(1, states.get(1) as Buffer));
    let writing = true;
    const writer = (async () => {
      for (let seq = 2; seq <= 6; seq++) await store.save(2, checkpoint(seq, states.get(seq) as Buffer));
      writing = false;
    })();
    const seen = new Set<number>();
    let loads = 0;
    while (writing || loads < 2) {
      const loaded = await store.load(2);
      loads++;
      const expected = states.get(loaded?.logSeq ?? -1);
      expect(expected, `a loaded checkpoint with logSeq ${loaded?.logSeq}`).toBeDefined();
      expect(Buffer.from(loaded?.state ?? []).equals(expected as Buffer)).toBe(true);
      seen.add(loaded?.logSeq ?? -1);
    }
    await writer;
    expect((await store.load(2))?.logSeq).toBe(6);
    expect(seen.size).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('refuses a save from a stale owner whose checkpoint another shard has replaced', async () => {
    const mine = await store.save(3, checkpoint(10, randomBytes(1000)));
    const loadedByOther = await store.load(3);
    await store.save(3, checkpoint(20, randomBytes(1000)), {
      previousRevision: loadedByOther?.revision as number,
    });
    await expect(
      store.save(3, checkpoint(11, randomBytes(1000)), { previousRevision: mine }),
    ).rejects.toThrow(CheckpointConflictError);
    expect((await store.load(3))?.logSeq).toBe(20);
  });

  it('reads back what it encodes, and names what is wrong with bytes that are not a checkpoint', () => {
    const cp = checkpoint(42, Uint8Array.from([0, 255, 7]));
    expect(decodeCheckpoint(encodeCheckpoint(cp))).toEqual(cp);
    expect(() => decodeCheckpoint(Uint8Array.from([0, 0]))).toThrow(CheckpointFormatError);
    expect(() => decodeCheckpoint(Uint8Array.from([0, 0, 0, 50, 1]))).toThrow(
      'checkpoint header runs past the end',
    );
    const wrongFormat = new TextEncoder().encode('{"format":9,"logSeq":1,"eventCounter":0,"at":0}');
    const bytes = new Uint8Array(4 + wrongFormat.length);
    new DataView(bytes.buffer).setUint32(0, wrongFormat.length);
    bytes.set(wrongFormat, 4);
    expect(() => decodeCheckpoint(bytes)).toThrow('checkpoint format 9 is not 1: written by another version');
    expect(() => encodeCheckpoint({ ...cp, logSeq: -1 })).toThrow(/logSeq must be a whole number/);
  });
});
