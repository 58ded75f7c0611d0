// A partition's checkpoint (issue 11 item 4): the engine state a shard built together with the log position it
// built it from, kept in the JetStream object store so a shard taking the partition over resumes from it.
//
// Atomic from a reader's point of view: the object store writes an object's chunks under a fresh id first and
// publishes the object's metadata (its chunk id, size and SHA-256) last, in one message that replaces the
// previous metadata. A reader looks the metadata up first, so it sees the previous checkpoint whole until the
// new one is whole; a writer killed halfway leaves only unreferenced chunks. The client checks the digest
// while reading, so a torn read (the previous chunks purged under a slow reader) is an error, retried, never
// a checkpoint.
import type { NatsConnection, ObjectStore } from 'nats';
import { StorageType } from 'nats';
import { clusterReplicas } from './nats-connection.js';

export const CHECKPOINT_BUCKET = 'citygauge-checkpoints';

export interface Checkpoint {
  /** The last log sequence the state includes: the shard resumes reading after it. */
  readonly logSeq: number;
  /** The partition's contribution-event counter at that point, so republished events keep their ids. */
  readonly eventCounter: number;
  /** The partition's log time (ms) at that point. */
  readonly at: number;
  /** The engine's state, opaque here; may be several MB. */
  readonly state: Uint8Array;
}

export interface StoredCheckpoint extends Checkpoint {
  /** Pass to the next save as `previousRevision` so a stale owner cannot overwrite a newer checkpoint. */
  readonly revision: number;
}

export class CheckpointConflictError extends Error {
  readonly code = 'ERR_CHECKPOINT_CONFLICT';
}

export class CheckpointFormatError extends Error {
  readonly code = 'ERR_CHECKPOINT_FORMAT';
}

const FORMAT = 1;
const WRONG_LAST_SEQUENCE = 10071;

/** u32 header length | header JSON | state bytes: the numbers readable without a schema, the state untouched. */
export function encodeCheckpoint(cp: Checkpoint): Uint8Array {
  for (const [what, n] of [
    ['logSeq', cp.logSeq],
    ['eventCounter', cp.eventCounter],
    ['at', cp.at],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new CheckpointFormatError(`checkpoint ${what} must be a whole number ≥ 0, got ${n}`);
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ format: FORMAT, logSeq: cp.logSeq, eventCounter: cp.eventCounter, at: cp.at }),
  );
  const out = new Uint8Array(4 + header.length + cp.state.length);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 4);
  out.set(cp.state, 4 + header.length);
  return out;
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < 4) throw new CheckpointFormatError(`checkpoint of ${bytes.length} bytes has no header`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (4 + headerLength > bytes.length) throw new CheckpointFormatError('checkpoint header runs past the end');
  let header: { format?: unknown; logSeq?: unknown; eventCounter?: unknown; at?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength)));
  } catch {
    throw new CheckpointFormatError('checkpoint header is not JSON');
  }
  if (header.format !== FORMAT)
    throw new CheckpointFormatError(
      `checkpoint format ${String(header.format)} is not ${FORMAT}: written by another version`,
    );
  const { logSeq, eventCounter, at } = header;
  if (typeof logSeq !== 'number' || typeof eventCounter !== 'number' || typeof at !== 'number') {
    throw new CheckpointFormatError('checkpoint header lacks logSeq, eventCounter or at');
  }
  return { logSeq, eventCounter, at, state: bytes.slice(4 + headerLength) };
}

const objectName = (partition: number) => `partition-${partition}`;

export class CheckpointStore {
  private constructor(
    private readonly os: ObjectStore,
    private readonly loadTimeoutMs: number,
    private readonly stallMs: number,
  ) {}

  static async open(
    nc: NatsConnection,
    options: {
      /** Default: min(3, cluster size). */ replicas?: number;
      bucket?: string;
      loadTimeoutMs?: number;
      /** A load that receives nothing for this long is retried. */
      stallMs?: number;
    } = {},
  ): Promise<CheckpointStore> {
    const os = await nc.jetstream().views.os(options.bucket ?? CHECKPOINT_BUCKET, {
      replicas: options.replicas ?? clusterReplicas(nc),
      storage: StorageType.File,
    });
    return new CheckpointStore(os, options.loadTimeoutMs ?? 60_000, options.stallMs ?? 3_000);
  }

  /**
   * Saves the partition's checkpoint, replacing the previous one once this one is wholly stored. With
   * `previousRevision` (from the last load or save), a checkpoint someone else saved meanwhile is not
   * overwritten: CheckpointConflictError, the sign this shard no longer owns the partition.
   */
  async save(
    partition: number,
    cp: Checkpoint,
    options: { previousRevision?: number } = {},
  ): Promise<number> {
    const bytes = encodeCheckpoint(cp);
    try {
      const info = await this.os.putBlob(
        { name: objectName(partition), description: `logSeq ${cp.logSeq}` },
        bytes,
        options.previousRevision === undefined ? undefined : { previousRevision: options.previousRevision },
      );
      return info.revision;
    } catch (err) {
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === WRONG_LAST_SEQUENCE) {
        throw new CheckpointConflictError(
          `checkpoint of partition ${partition} changed since revision ${options.previousRevision}: another shard owns it now`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  /** The partition's latest whole checkpoint, or null when it never had one. */
  async load(partition: number): Promise<StoredCheckpoint | null> {
    const deadline = Date.now() + this.loadTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.loadOnce(partition, Math.max(1_000, deadline - Date.now()));
      } catch (err) {
        if (err instanceof CheckpointFormatError || Date.now() > deadline) throw err;
        // Replaced while we read it (digest mismatch or chunks gone): read the newer one.
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 1_000)));
      }
    }
  }

  private async loadOnce(partition: number, timeoutMs: number): Promise<StoredCheckpoint | null> {
    const result = await this.os.get(objectName(partition));
    if (!result) return null;
    const reader = result.data.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    // A replaced checkpoint's chunks are purged once the new one is live: a reader still on them then waits
    // for chunks that never come. So a read that goes quiet is abandoned and retried on the newer checkpoint.
    let idle: NodeJS.Timeout | undefined;
    let rearm = () => {};
    const stalled = new Promise<never>((_, reject) => {
      const arm = () => {
        clearTimeout(idle);
        idle = setTimeout(
          () => {
            void reader.cancel();
            reject(new Error(`checkpoint of partition ${partition} stopped arriving (replaced while read?)`));
          },
          Math.min(this.stallMs, timeoutMs),
        );
      };
      rearm = arm;
      arm();
    });
    try {
      await Promise.race([
        (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            rearm();
            parts.push(value);
            size += value.length;
          }
          const failed = await result.error;
          if (failed) throw failed;
        })(),
        stalled,
      ]);
    } finally {
      clearTimeout(idle);
    }
    if (size !== result.info.size)
      throw new Error(`checkpoint of partition ${partition} read ${size} of ${result.info.size} bytes`);
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    return { ...decodeCheckpoint(bytes), revision: result.info.revision };
  }
}
