// Device liveness and route freshness across a restart (docs/contract.md §3). Without it every device counts as
// never heard after `citygauge start` restarts, and indicators read 0 until each device speaks again.
//
// What is saved, by id so a changed registry still matches: each device's lastSeen, changedAt, saidOffline,
// video, shared and alive as of the save; each fresh route's freshUntil per arrival indicator.
// Restoring replays the downtime as if the engine had run through it without a message: the state is put
// back as of the save, deadlines are re-armed, and the clock is moved to the restart time, so a device
// whose 3 × interval ran out while the process was down is offline since that deadline (not since the
// restart), a camera follows its gateway at the gateway's deadline, an offline status stays offline, a
// route stays fresh until its freshUntil, and what is still alive lapses on time afterwards.
//
// The time-weighted means are not saved: the value histories stay in memory (the history store keeps the
// values for /history). A restored engine starts its means at the restart time (`origin`), as a fresh one
// starts them at its first input, so the downtime is never counted as a value. This is the same rule as
// StepSeries's null stretches: a null (NaN) value adds neither to the integral nor to the defined time, so
// means divide by the time they were defined for; were the histories saved too, the gap would be a null
// stretch from the save to the restart and the means would come out the same over the defined part.
//
// Format: one binary file written to a temp file, fsynced and renamed over the old one, so a crash leaves
// the previous save or the new one, never half of one. Binary rather than SQLite because the whole state
// is replaced at once (no queries, no partial updates): it holds one row per registered device in model
// order, so saving copies the engine's typed arrays as they are and packs one flag byte per device, with
// no per-device object or row insert; a million devices save and restore in a few hundred milliseconds.
// Little-endian:
//
//   0   "CGSTATE\0"                   magic
//   8   u32 format version            (STATE_FORMAT_VERSION)
//   12  u32 H                         header length
//   16  header, UTF-8 JSON            {savedAt, devices: n, idBytes: B, routes: [[indicatorId, routeId, freshUntil]]}
//   P   f64[n] lastSeen               P = 16 + H rounded up to 8; NaN: never heard (nothing to restore)
//       f64[n] changedAt              NaN: never changed
//       u8[n]  flags                  bit 0 alive, 1 said offline, 2 shared, bits 3–4 video (0 ok, 1 degraded, 2 lost)
//       ids, UTF-8, joined by '\n'    B bytes (docs/contract.md §1 ids never hold a newline)
//   end u32 CRC-32 of all the above
//
// When the restoring engine's device ids are the saved ones in the same order (the registry did not change
// while down, the usual case) row i is device i; otherwise each heard id is looked up. The ids section is
// built once per model and kept beside it for the next saves (about 20 bytes a device).
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { writeAtomic } from './atomic-file.js';
import type { CityEngine } from './city-engine.js';
import type { CityModel } from './city-model.js';

/** The file's name in the data dir. */
export const STATE_FILE_NAME = 'engine-state.bin';
export const STATE_FORMAT_VERSION = 1;

const MAGIC = Buffer.from('CGSTATE\0', 'latin1');
// Flag bits (see the layout above): the engine's 0/1 bytes shifted into place.
const ALIVE = 1;
const VIDEO_SHIFT = 3;

interface Header {
  savedAt: number;
  devices: number;
  idBytes: number;
  routes: [indicatorId: string, routeId: string, freshUntil: number][];
}

interface SavedState extends Header {
  /** The ids section as text: decoded only on restore, split only when the registry changed. */
  idText: () => string;
  lastSeen: Float64Array;
  changedAt: Float64Array;
  flags: Uint8Array;
}

const idSections = new WeakMap<CityModel, Buffer>();

/** The model's device ids, UTF-8, joined by '\n'. A model never changes (a registry change builds a new one). */
function idsOf(m: CityModel): Buffer {
  let text = idSections.get(m);
  if (text === undefined) {
    text = Buffer.from(m.deviceIds.join('\n'));
    idSections.set(m, text);
  }
  return text;
}

export interface SaveSummary {
  /** The time the state is as of (engine clock). */
  savedAt: number;
  /** Rows: the devices registered at the save (those never heard carry nothing). */
  devices: number;
  /** Fresh (arrival indicator, route) pairs. */
  routes: number;
  bytes: number;
}

export type RestoreResult =
  | {
      ok: true;
      /** false: no file (a first start); nothing was restored. */
      found: boolean;
      /** Devices in the file that are registered: their state was taken over. */
      restored: number;
      /** Devices in the file no longer registered: ignored. */
      unknown: number;
      /** Of the restored devices, those not alive at the restart (silent past 3 × interval). */
      stale: number;
      /** Routes still fresh at the save and still registered. */
      routes: number;
      savedAt?: number;
    }
  | {
      ok: false;
      reason: string;
      /** For the log: "ignoring <path>: <reason>; liveness starts fresh". */
      message: string;
    };

/**
 * The engine's liveness as of `at` (the engine is first moved on to `at`, letting due deadlines lapse, as
 * a snapshot would), as the bytes of a state file.
 */
export function encodeEngineState(engine: CityEngine, at: number): Buffer {
  if (engine.origin !== undefined && at > engine.now) engine.advanceTo(at);
  const savedAt = Math.max(at, engine.now);
  const m = engine.model;
  const st = engine.devices;
  const n = m.deviceIds.length;
  const flags = new Uint8Array(n);
  for (let d = 0; d < n; d++) {
    flags[d] = st.alive[d] | (st.saidOffline[d] << 1) | (st.shared[d] << 2) | (st.video[d] << VIDEO_SHIFT);
  }
  const routes: Header['routes'] = [];
  const routeIds = m.assets.route.ids;
  m.eventCoverages.forEach((e, k) => {
    const indicatorId = m.indicators[e.indicator].def.id;
    for (let r = 0; r < routeIds.length; r++) {
      const freshUntil = engine.routes.freshUntilOf(k, r);
      if (freshUntil >= savedAt) routes.push([indicatorId, routeIds[r], freshUntil]);
    }
  });
  const ids = idsOf(m);
  const idBytes = ids.length;
  const header = Buffer.from(JSON.stringify({ savedAt, devices: n, idBytes, routes } satisfies Header));
  const p = align8(16 + header.length);
  const size = p + 17 * n + idBytes + 4;
  const buf = Buffer.alloc(size);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(STATE_FORMAT_VERSION, 8);
  buf.writeUInt32LE(header.length, 12);
  header.copy(buf, 16);
  buf.set(new Uint8Array(st.lastSeen.buffer, st.lastSeen.byteOffset, 8 * n), p);
  buf.set(new Uint8Array(st.changedAt.buffer, st.changedAt.byteOffset, 8 * n), p + 8 * n);
  buf.set(flags, p + 16 * n);
  ids.copy(buf, p + 17 * n);
  buf.writeUInt32LE(crc32(buf.subarray(0, size - 4)), size - 4);
  return buf;
}

/** Save the engine's liveness as of `at` to `path`, atomically. Throws on an I/O error. */
export function saveEngineState(engine: CityEngine, path: string, at: number): SaveSummary {
  const buf = encodeEngineState(engine, at);
  writeAtomic(path, buf);
  return summaryOf(buf);
}

/**
 * Take over the liveness saved in `path` into a freshly built engine (no input yet), as of `now`. Never
 * throws for a bad file: a missing one restores nothing, a damaged one answers why it was ignored.
 */
export function restoreEngineState(engine: CityEngine, path: string, now: number): RestoreResult {
  const problem = (reason: string): RestoreResult => ({
    ok: false,
    reason,
    message: `ignoring ${path}: ${reason}; liveness starts fresh`,
  });
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, found: false, restored: 0, unknown: 0, stale: 0, routes: 0 };
    return problem(`cannot read it (${code ?? (err as Error).message})`);
  }
  const saved = decode(buf);
  if (typeof saved === 'string') return problem(saved);
  if (engine.origin !== undefined) return problem('the engine has already taken input');
  if (saved.savedAt > now) {
    return problem(
      `it was saved at ${new Date(saved.savedAt).toISOString()}, after now (${new Date(now).toISOString()}): the clock went back`,
    );
  }
  return apply(engine, saved, now);
}

function apply(engine: CityEngine, saved: SavedState, now: number): RestoreResult {
  const m = engine.model;
  const st = engine.devices;
  const t0 = saved.savedAt;
  const dev = deviceIndexes(m, saved); // row → device index in this engine; -1: not heard, or gone
  let unknown = 0;
  let restored = 0;
  for (let i = 0; i < saved.devices; i++) {
    if (Number.isNaN(saved.lastSeen[i])) continue;
    if (dev[i] < 0) unknown++;
    else restored++;
  }
  const eventOf = new Map(m.eventCoverages.map((e, k) => [m.indicators[e.indicator].def.id, k]));
  const routes: [number, number, number][] = [];
  for (const [indicatorId, routeId, freshUntil] of saved.routes) {
    const e = eventOf.get(indicatorId);
    const r = m.assets.route.index.get(routeId);
    if (e !== undefined && r !== undefined) routes.push([e, r, freshUntil]);
  }
  const result = { ok: true as const, found: true, restored, unknown, stale: 0, routes: routes.length };
  if (restored === 0 && routes.length === 0) return { ...result, savedAt: t0 };

  // The means start at the restart: set the origin first, so that moving the clock from the save to now
  // neither starts them early nor records the downtime (nothing is recorded before startRecording).
  engine.origin = now;
  engine.now = t0;
  // The state as of the save was already told by the process that saved it: hooks hear only the downtime.
  const deviceHooks = st.onChange.splice(0);
  const { onChange: indicatorHook } = engine.indicators;
  engine.indicators.onChange = undefined;
  const { lastSeen, changedAt, flags } = saved;
  for (let i = 0; i < saved.devices; i++) {
    const d = dev[i];
    if (d < 0 || Number.isNaN(lastSeen[i])) continue;
    const f = flags[i];
    st.restoreSaved(d, t0, lastSeen[i], f & ALIVE, (f >> 1) & 1, (f >> VIDEO_SHIFT) & 3, (f >> 2) & 1);
  }
  st.refreshAll(t0);
  // refreshAll dated every change at the save; the conditions are those the old engine had, and so are
  // their times. (NaN: the device never changed condition, e.g. its first message said offline.)
  for (let i = 0; i < saved.devices; i++) {
    if (dev[i] >= 0 && !Number.isNaN(lastSeen[i])) st.changedAt[dev[i]] = changedAt[i];
  }
  for (const [e, r, freshUntil] of routes) engine.routes.restore(e, r, freshUntil, t0);
  st.onChange.push(...deviceHooks);
  engine.indicators.onChange = indicatorHook;
  engine.advanceTo(now); // the downtime: deadlines before now lapse at their own times
  engine.indicators.startRecording(now);
  let stale = 0;
  for (let i = 0; i < saved.devices; i++) {
    if (dev[i] >= 0 && !Number.isNaN(lastSeen[i]) && st.alive[dev[i]] === 0) stale++;
  }
  return { ...result, stale, savedAt: t0 };
}

/** Each saved row's device index in model m: -1 for a device never heard or no longer registered. */
function deviceIndexes(m: CityModel, saved: SavedState): Int32Array {
  const n = saved.devices;
  const out = new Int32Array(n).fill(-1);
  const text = saved.idText();
  if (sameIds(m.deviceIds, text)) {
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  // By id: first where the last match suggests (a registry with a few devices added or removed), then the map.
  const ids = n === 0 ? [] : text.split('\n');
  let shift = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(saved.lastSeen[i])) continue;
    const guess = i + shift;
    const d = m.deviceIds[guess] === ids[i] ? guess : m.deviceIndex.get(ids[i]);
    if (d === undefined) continue;
    shift = d - i;
    out[i] = d;
  }
  return out;
}

/** Whether `text` is exactly `ids` joined by '\n' (compared in place: no split, no join). */
function sameIds(ids: readonly string[], text: string): boolean {
  if (ids.length === 0) return text.length === 0;
  let at = 0;
  for (const id of ids) {
    if (!text.startsWith(id, at)) return false;
    at += id.length;
    if (at < text.length && text.charCodeAt(at) !== 10) return false;
    at++;
  }
  return at === text.length + 1;
}

/** The saved state, or why the bytes are not a state file this version reads. */
function decode(buf: Buffer): SavedState | string {
  if (buf.length < 20 || !buf.subarray(0, 8).equals(MAGIC)) return 'not a citygauge engine state file';
  const version = buf.readUInt32LE(8);
  if (version !== STATE_FORMAT_VERSION) {
    return `format version ${version}, this citygauge reads version ${STATE_FORMAT_VERSION}`;
  }
  if (buf.readUInt32LE(buf.length - 4) !== crc32(buf.subarray(0, buf.length - 4))) {
    return 'checksum mismatch: the file is truncated or damaged';
  }
  const headerLength = buf.readUInt32LE(12);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 16, 16 + headerLength)) as Header;
  } catch {
    return 'its header is not JSON';
  }
  if (!validHeader(header)) return 'its header is malformed';
  const n = header.devices;
  const p = align8(16 + headerLength);
  if (p + 17 * n + header.idBytes + 4 !== buf.length) return 'its length does not match its header';
  const idsAt = p + 17 * n;
  return {
    ...header,
    // The checksum and lengths hold, so the ids are as written: one per device.
    idText: () => buf.toString('utf8', idsAt, idsAt + header.idBytes),
    lastSeen: float64s(buf, p, n),
    changedAt: float64s(buf, p + 8 * n, n),
    flags: buf.subarray(p + 16 * n, p + 17 * n),
  };
}

function validHeader(h: Header): boolean {
  const count = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  return (
    typeof h === 'object' &&
    h !== null &&
    Number.isFinite(h.savedAt) &&
    count(h.devices) &&
    count(h.idBytes) &&
    Array.isArray(h.routes) &&
    h.routes.every(
      (r) =>
        Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'string' && Number.isFinite(r[2]),
    )
  );
}

/** n doubles at byte `offset` of buf, copied when the offset is not 8-aligned in memory. */
function float64s(buf: Buffer, offset: number, n: number): Float64Array {
  const start = buf.byteOffset + offset;
  if (start % 8 === 0) return new Float64Array(buf.buffer, start, n);
  const out = new Float64Array(n);
  new Uint8Array(out.buffer).set(buf.subarray(offset, offset + 8 * n));
  return out;
}

const align8 = (x: number) => (x + 7) & ~7;

function summaryOf(buf: Buffer): SaveSummary {
  const header = JSON.parse(buf.toString('utf8', 16, 16 + buf.readUInt32LE(12))) as Header;
  return {
    savedAt: header.savedAt,
    devices: header.devices,
    routes: header.routes.length,
    bytes: buf.length,
  };
}
