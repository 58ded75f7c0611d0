// What a shard publishes for one partition at each mark: the contributions since the previous mark, the
// mark itself, and where in the partition's log it stands. Batches are numbered per partition and cut only
// at marks, which come from the log's own times, so a shard that takes a partition over and replays the log
// from a checkpoint republishes the very same batches under the same numbers: the merge keeps the first.
//
// Layout: u32 header length, the header as UTF-8 JSON, padding to 8 bytes, then the events as
// little-endian f64 (cluster/contribution.ts).
import type { PartitionMark } from './merge.js';

export interface PartialBatch {
  partition: number;
  /** 1, 2, 3, … per partition. */
  batch: number;
  /** The log sequence of the last record the batch includes. */
  seq: number;
  /** Every contribution still to come from the partition is at or after this time. */
  watermark: number;
  mark: PartitionMark;
  /** The registry version the events' device and route numbers belong to (absent: the merge's own). */
  version?: string;
  events: Float64Array;
}

/** JetStream's de-duplication id of a batch: the same for a republished one. */
export const batchMsgId = (b: Pick<PartialBatch, 'partition' | 'batch'>) => `p${b.partition}-b${b.batch}`;

export function encodeBatch(b: PartialBatch): Uint8Array {
  const { events, ...header } = b;
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const start = (4 + head.length + 7) & ~7;
  const out = Buffer.alloc(start + events.byteLength);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  out.set(new Uint8Array(events.buffer, events.byteOffset, events.byteLength), start);
  return out;
}

export class BatchError extends Error {
  readonly code = 'ERR_PARTIAL_BATCH';
}

export function decodeBatch(bytes: Uint8Array): PartialBatch {
  if (bytes.byteLength < 4) throw new BatchError(`a partial batch of ${bytes.byteLength} bytes is cut off`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = buf.readUInt32LE(0);
  const start = (4 + headLength + 7) & ~7;
  if (start > buf.length || (buf.length - start) % 32 !== 0)
    throw new BatchError(`a partial batch of ${buf.length} bytes does not hold whole events`);
  let header: Omit<PartialBatch, 'events'>;
  try {
    header = JSON.parse(buf.toString('utf8', 4, 4 + headLength));
  } catch {
    throw new BatchError('a partial batch header is not JSON');
  }
  if (!Number.isInteger(header.partition) || !Number.isInteger(header.batch) || header.mark === undefined)
    throw new BatchError('a partial batch header lacks its partition, number or mark');
  // Copied so the events are aligned and outlive the message buffer.
  const events = new Float64Array((buf.length - start) / 8);
  new Uint8Array(events.buffer).set(buf.subarray(start));
  return { ...header, events };
}
