// One record of the cluster's log (issue 11), pure: a device message as a front door admitted it, or a clock
// tick a shard appends so that a partition's time comes only from its log. Binary, because the payload is
// the device's raw MQTT bytes and must come back byte for byte; compact, because every admitted message
// is written three times (one per replica).
//
// Layout (big-endian):
//   message: 0x01 | receivedAt u64 ms | topic length u16 | topic UTF-8 | front door length u8 | front door UTF-8 | payload…
//   tick:    0x02 | at u64 ms
//   registry: 0x03 | at u64 ms | version ASCII (32 hex digits)
// A front door length of 0 means no front door was named. The payload runs to the end of the record.

export interface LogMessage {
  readonly kind: 'message';
  readonly topic: string;
  readonly payload: Uint8Array;
  /** The front door's receive time (ms since the epoch): the engine's clock for this message. */
  readonly receivedAt: number;
  /** Which front door admitted it, for tracing; absent when not said. */
  readonly frontDoor?: string;
}

export interface LogTick {
  readonly kind: 'tick';
  /** ms since the epoch: the partition's time has reached this instant. */
  readonly at: number;
}

/**
 * The registry changed: from this record on, the partition runs on registry version `version` (stored in the
 * object store, cluster/inventory-store.ts). A front door appends one to every partition before it admits
 * anything under the new registry, so a new device's first message always comes after it.
 */
export interface LogRegistry {
  readonly kind: 'registry';
  readonly at: number;
  readonly version: string;
}

export type LogRecord = LogMessage | LogTick | LogRegistry;

export type DecodedRecord =
  | { readonly ok: true; readonly record: LogRecord }
  | { readonly ok: false; readonly reason: string };

const MESSAGE = 0x01;
const TICK = 0x02;
const REGISTRY = 0x03;
const VERSION_SHAPE = /^[0-9a-f]{32}$/;
const MAX_TOPIC_BYTES = 0xffff; // MQTT's own limit on a topic name
const MAX_FRONT_DOOR_BYTES = 0xff;

/** A record that cannot be written: a bug in the caller, so a typed error rather than a value. */
export class LogRecordError extends Error {
  readonly code = 'ERR_LOG_RECORD';
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function checkTime(ms: number, what: string): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new LogRecordError(`${what} must be a whole number of ms since the epoch, got ${ms}`);
  }
}

export function encodeLogRecord(record: LogRecord): Uint8Array {
  if (record.kind === 'registry') {
    checkTime(record.at, 'registry time');
    if (!VERSION_SHAPE.test(record.version))
      throw new LogRecordError(`registry version '${record.version}' is not 32 hex digits`);
    const out = new Uint8Array(9 + 32);
    new DataView(out.buffer).setBigUint64(1, BigInt(record.at));
    out[0] = REGISTRY;
    out.set(utf8.encode(record.version), 9);
    return out;
  }
  if (record.kind === 'tick') {
    checkTime(record.at, 'tick time');
    const out = new Uint8Array(9);
    const view = new DataView(out.buffer);
    out[0] = TICK;
    view.setBigUint64(1, BigInt(record.at));
    return out;
  }
  checkTime(record.receivedAt, 'receivedAt');
  const topic = utf8.encode(record.topic);
  if (topic.length > MAX_TOPIC_BYTES)
    throw new LogRecordError(`topic is ${topic.length} bytes, more than MQTT's ${MAX_TOPIC_BYTES}`);
  const frontDoor = utf8.encode(record.frontDoor ?? '');
  if (record.frontDoor === '') throw new LogRecordError('front door id is empty: leave it out instead');
  if (frontDoor.length > MAX_FRONT_DOOR_BYTES) {
    throw new LogRecordError(`front door id is ${frontDoor.length} bytes, more than ${MAX_FRONT_DOOR_BYTES}`);
  }
  const out = new Uint8Array(1 + 8 + 2 + topic.length + 1 + frontDoor.length + record.payload.length);
  const view = new DataView(out.buffer);
  let at = 0;
  out[at++] = MESSAGE;
  view.setBigUint64(at, BigInt(record.receivedAt));
  at += 8;
  view.setUint16(at, topic.length);
  at += 2;
  out.set(topic, at);
  at += topic.length;
  out[at++] = frontDoor.length;
  out.set(frontDoor, at);
  at += frontDoor.length;
  out.set(record.payload, at);
  return out;
}

/**
 * Reads a record back. A malformed one (truncated, unknown kind, bad UTF-8) is a value with the reason, never
 * a throw: one bad record in the log must not stop a shard from reading the rest of its partition.
 */
export function decodeLogRecord(bytes: Uint8Array): DecodedRecord {
  const bad = (reason: string): DecodedRecord => ({ ok: false, reason: `malformed log record: ${reason}` });
  if (bytes.length === 0) return bad('empty');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = bytes[0];
  if (kind === TICK) {
    if (bytes.length !== 9) return bad(`a tick is 9 bytes, this one ${bytes.length}`);
    const at = view.getBigUint64(1);
    if (at > BigInt(Number.MAX_SAFE_INTEGER)) return bad('tick time out of range');
    return { ok: true, record: { kind: 'tick', at: Number(at) } };
  }
  if (kind === REGISTRY) {
    if (bytes.length !== 41) return bad(`a registry record is 41 bytes, this one ${bytes.length}`);
    const at = view.getBigUint64(1);
    const version = String.fromCharCode(...bytes.subarray(9));
    if (at > BigInt(Number.MAX_SAFE_INTEGER) || !VERSION_SHAPE.test(version))
      return bad('registry record time or version out of range');
    return { ok: true, record: { kind: 'registry', at: Number(at), version } };
  }
  if (kind !== MESSAGE) return bad(`unknown kind 0x${(kind ?? 0).toString(16).padStart(2, '0')}`);
  if (bytes.length < 1 + 8 + 2 + 1) return bad(`truncated header (${bytes.length} bytes)`);
  const receivedAt = view.getBigUint64(1);
  if (receivedAt > BigInt(Number.MAX_SAFE_INTEGER)) return bad('receivedAt out of range');
  const topicLength = view.getUint16(9);
  const topicEnd = 11 + topicLength;
  if (topicEnd + 1 > bytes.length) return bad(`topic of ${topicLength} bytes runs past the end`);
  const frontDoorLength = bytes[topicEnd] as number;
  const frontDoorEnd = topicEnd + 1 + frontDoorLength;
  if (frontDoorEnd > bytes.length) return bad(`front door id of ${frontDoorLength} bytes runs past the end`);
  let topic: string;
  let frontDoor: string;
  try {
    topic = utf8Strict.decode(bytes.subarray(11, topicEnd));
    frontDoor = utf8Strict.decode(bytes.subarray(topicEnd + 1, frontDoorEnd));
  } catch {
    return bad('topic or front door id is not UTF-8');
  }
  // A plain copy: the transport hands us a Buffer (whose slice() is a view), and the record must not pin it.
  const payload = new Uint8Array(bytes.subarray(frontDoorEnd));
  const record: LogMessage =
    frontDoorLength === 0
      ? { kind: 'message', topic, payload, receivedAt: Number(receivedAt) }
      : { kind: 'message', topic, payload, receivedAt: Number(receivedAt), frontDoor };
  return { ok: true, record };
}
