// A partition engine's exact state, for a shard's checkpoint: with it and the log after the checkpoint's
// position, another shard continues the partition as if it had run it from the start. Unlike the engine
// state file of one process (engine/state-file.ts), which carries liveness across a restart, nothing is
// left out: the clock, the first input, the counts, every device's fields, every fresh route and the
// redelivery window. Whatever a partition contributed before the checkpoint stays where the merge put it:
// restoring re-applies it to the engine without recording it again.
//
// Layout: u32 header length, the header as UTF-8 JSON, then little-endian arrays at 8-byte offsets:
// f64[n] lastSeen, u8[n] flags (bit 0 alive, 1 said offline, 2 shared, bits 3–4 video), the device ids
// joined by '\n', f64 duplicate maxSeq, newest and entries (lengths in the header).
import type { RejectionCounts } from '../engine/rejections.js';
import type { PartitionEngine } from './partition-engine.js';

const VERSION = 1;

interface Header {
  version: number;
  partition: number;
  now: number | null;
  origin: number | null;
  accepted: number;
  rejected: RejectionCounts;
  devices: number;
  idBytes: number;
  /** [event coverage, route index, fresh until]. */
  routes: [number, number, number][];
  streams: number;
  entries: number;
  /** Whatever the shard keeps beside the state: its log position, its batch number. */
  extra: Record<string, number | string>;
}

const pad8 = (n: number) => (n + 7) & ~7;

export function saveCheckpoint(part: PartitionEngine, extra: Record<string, number | string> = {}): Buffer {
  const e = part.engine;
  const dev = e.devices;
  const n = e.model.deviceIds.length;
  const flags = new Uint8Array(n);
  for (let d = 0; d < n; d++) {
    flags[d] = dev.alive[d] | (dev.saidOffline[d] << 1) | (dev.shared[d] << 2) | (dev.video[d] << 3);
  }
  const routes: [number, number, number][] = [];
  const R = e.model.assets.route.ids.length;
  for (let k = 0; k < e.model.eventCoverages.length; k++) {
    for (let r = 0; r < R; r++) {
      const until = e.routes.freshUntilOf(k, r);
      if (until > 0) routes.push([k, r, until]);
    }
  }
  const dup = e.admission.duplicates.save();
  const ids = Buffer.from(e.model.deviceIds.join('\n'), 'utf8');
  const header: Header = {
    version: VERSION,
    partition: part.partition,
    now: Number.isFinite(e.now) ? e.now : null,
    origin: e.origin ?? null,
    accepted: e.accepted,
    rejected: { ...e.rejected },
    devices: n,
    idBytes: ids.length,
    routes,
    streams: dup.maxSeq.length,
    entries: dup.entries.length,
    extra,
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Uint8Array[] = [
    new Uint8Array(dev.lastSeen.buffer, dev.lastSeen.byteOffset, n * 8),
    flags,
    ids,
    new Uint8Array(dup.maxSeq.buffer),
    new Uint8Array(dup.newest.buffer),
    new Uint8Array(dup.entries.buffer),
  ];
  let size = pad8(4 + head.length);
  for (const p of parts) size = pad8(size + p.length);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let at = pad8(4 + head.length);
  for (const p of parts) {
    out.set(p, at);
    at = pad8(at + p.length);
  }
  return out;
}

/** What the shard kept beside the state (its log position, batch number, registry version), unrestored. */
export function checkpointExtra(bytes: Uint8Array): Record<string, number | string> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (JSON.parse(buf.toString('utf8', 4, 4 + buf.readUInt32LE(0))) as Header).extra;
}

export class CheckpointError extends Error {
  readonly code = 'ERR_CHECKPOINT';
}

/**
 * Put a checkpoint's state into a fresh partition engine of the same partition. Devices are matched by
 * id, so a registry changed since the checkpoint still restores what it can. Returns the header's extra.
 */
export function restoreCheckpoint(part: PartitionEngine, bytes: Uint8Array): Record<string, number | string> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = buf.readUInt32LE(0);
  const header = JSON.parse(buf.toString('utf8', 4, 4 + headLength)) as Header;
  if (header.version !== VERSION)
    throw new CheckpointError(
      `checkpoint format ${header.version} is not ${VERSION}: start the partition afresh`,
    );
  if (header.partition !== part.partition)
    throw new CheckpointError(
      `checkpoint of partition ${header.partition} offered to partition ${part.partition}`,
    );
  const n = header.devices;
  let at = pad8(4 + headLength);
  const take = (bytesLong: number) => {
    const slice = new Uint8Array(bytesLong);
    slice.set(buf.subarray(at, at + bytesLong));
    at = pad8(at + bytesLong);
    return slice;
  };
  const lastSeen = new Float64Array(take(n * 8).buffer);
  const flags = take(n);
  const idText = Buffer.from(take(header.idBytes)).toString('utf8');
  const ids = n === 0 ? [] : idText.split('\n');
  const maxSeq = new Float64Array(take(header.streams * 8).buffer);
  const newest = new Float64Array(take(header.streams * 8).buffer);
  const entries = new Float64Array(take(header.entries * 8).buffer);

  const e = part.engine;
  part.quietly(() => {
    if (header.origin !== null) e.origin = header.origin;
    const now = header.now ?? Number.NEGATIVE_INFINITY;
    e.now = now;
    e.accepted = header.accepted;
    Object.assign(e.rejected, header.rejected);
    const index = e.model.deviceIndex;
    const sameOrder =
      ids.length === e.model.deviceIds.length && ids.every((id, i) => e.model.deviceIds[i] === id);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(lastSeen[i])) continue;
      const d = sameOrder ? i : index.get(ids[i]);
      if (d === undefined) continue;
      const f = flags[i];
      e.devices.restoreSaved(d, now, lastSeen[i], f & 1, (f >> 1) & 1, (f >> 3) & 3, (f >> 2) & 1);
    }
    if (Number.isFinite(now)) e.devices.refreshAll(now);
    for (const [k, r, until] of header.routes) e.routes.restore(k, r, until, now);
    // Streams are device × channel in model order: renumbered by id when the registry moved.
    if (sameOrder) e.admission.duplicates.restore({ maxSeq, newest, entries });
    else e.admission.restoreDuplicates({ maxSeq, newest, entries }, ids);
  });
  return header.extra;
}
