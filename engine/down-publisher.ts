// The devices that are down (not online, docs/contract.md §3), with where they stand, for the dashboard map:
// published retained on `city/devices/down` when the set or a reason changed, at most once every 5 s.
// The check scans the engine's condition bits once per interval and allocates nothing unless it publishes.
import { DEVICE_KINDS } from '../registry/inventory.js';
import type { CityEngine, Snapshot } from './city-engine.js';
import { MAINTENANCE, ONLINE } from './city-model.js';
import { isoTime, type MissingReason, missingReason } from './device-status.js';
import { causeCode, type DownCause, downCause } from './down-cause.js';
import type { RetainedPublish } from './indicator-publisher.js';

export const DOWN_TOPIC = 'city/devices/down';
/** A map shows a few thousand markers well; past that the count says how bad it is. */
export const DOWN_LIMIT = 2000;
export const DOWN_EVERY_MS = 5000;

export interface DownDevice {
  id: string;
  kind: string;
  district: string | null;
  lat: number | null;
  lon: number | null;
  reason: MissingReason;
  /** Why, in an operator's words (engine/down-cause.ts). */
  cause: DownCause;
  /** For `behind-gateway`: the gateway that is down. */
  gateway: string | null;
  /** When it went down (engine clock); null when never heard since the engine started. */
  since: string | null;
  lastSeen: string | null;
  expectedIntervalS: number;
}

export interface DownDocument {
  ts: string;
  /** Every device down, even past the list's limit. */
  count: number;
  /** Devices registered. */
  total: number;
  /** Of `count`, the devices down for planned work (reason `maintenance`): not faults. */
  maintenance: number;
  /** Of `count`, the devices never heard since the engine started: often not yet installed. */
  neverHeard: number;
  /** Devices once heard first, then those never heard, each in inventory order; at most the limit. */
  devices: DownDevice[];
  /** Present when the list stops short of `count`. */
  truncated?: true;
}

function downDevice(engine: CityEngine, d: number): DownDevice {
  const m = engine.model;
  const id = m.deviceIds[d];
  const record = engine.inventory.devices.get(id);
  return {
    id,
    kind: DEVICE_KINDS[m.kind[d]],
    district: m.scope[d] > 0 ? m.scopes[m.scope[d]] : null,
    lat: record?.lat ?? null,
    lon: record?.lon ?? null,
    reason: missingReason(engine, d, ONLINE),
    ...downCause(engine, d),
    since: isoTime(engine.devices.changedAt[d]),
    lastSeen: isoTime(engine.devices.lastSeen[d]),
    expectedIntervalS: m.staleAfterMs[d] / 3000,
  };
}

function downDocument(
  engine: CityEngine,
  at: number,
  down: ArrayLike<number>,
  count: number,
  limit: number,
  tallies: { maintenance: number; neverHeard: number },
): DownDocument {
  const listed = Math.min(count, limit);
  const devices: DownDevice[] = new Array(listed);
  for (let i = 0; i < listed; i++) devices[i] = downDevice(engine, down[i]);
  const doc: DownDocument = {
    ts: new Date(at).toISOString(),
    count,
    total: engine.model.deviceIds.length,
    ...tallies,
    devices,
  };
  if (count > listed) doc.truncated = true;
  return doc;
}

/**
 * The first `count` of `down`, devices once heard before those never heard (a city where half the sensors
 * are not yet installed must not hide a real failure past the list's limit), each group in index order.
 */
function heardFirst(
  engine: CityEngine,
  down: Int32Array,
  count: number,
): { order: Int32Array; neverHeard: number } {
  const lastSeen = engine.devices.lastSeen;
  const order = new Int32Array(count);
  let i = 0;
  for (let k = 0; k < count; k++) if (!Number.isNaN(lastSeen[down[k]])) order[i++] = down[k];
  const heard = i;
  for (let k = 0; k < count; k++) if (Number.isNaN(lastSeen[down[k]])) order[i++] = down[k];
  return { order, neverHeard: count - heard };
}

/** The devices down now, as published on DOWN_TOPIC (for the HTTP API: computed on request). */
export function devicesDown(engine: CityEngine, at: number, limit = DOWN_LIMIT): DownDocument {
  const mask = engine.devices.mask;
  const down = new Int32Array(mask.length);
  let count = 0;
  let maintenance = 0;
  for (let d = 0; d < mask.length; d++) {
    if ((mask[d] & ONLINE) !== 0) continue;
    if ((mask[d] & MAINTENANCE) !== 0) maintenance++;
    down[count++] = d;
  }
  const { order, neverHeard } = heardFirst(engine, down, count);
  return downDocument(engine, at, order, count, limit, { maintenance, neverHeard });
}

export interface DownPublisherOptions {
  everyMs?: number;
  limit?: number;
}

export class DownPublisher {
  /** Cause code per device as last published (0 online): the change test needs no per-device objects. */
  private published = new Uint8Array(0);
  /** Indices of the devices down in the last scan, reused. */
  private down = new Int32Array(0);
  private engine!: CityEngine;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  /** Nothing published yet, or the engine was rebuilt (device indices moved): publish at the next check. */
  private stale = true;
  private readonly everyMs: number;
  private readonly limit: number;
  /** Documents published so far. */
  sent = 0;

  constructor(
    engine: CityEngine,
    private readonly publish: RetainedPublish,
    opts: DownPublisherOptions = {},
  ) {
    this.everyMs = opts.everyMs ?? DOWN_EVERY_MS;
    this.limit = opts.limit ?? DOWN_LIMIT;
    this.setEngine(engine);
  }

  /** Follow a rebuilt engine (carry-over.ts): its device indices differ, so the next check publishes. */
  setEngine(engine: CityEngine): void {
    if (engine === this.engine) return;
    this.engine = engine;
    const n = engine.model.deviceIds.length;
    this.published = new Uint8Array(n);
    this.down = new Int32Array(n);
    this.stale = true;
  }

  /** Called with each snapshot (twice a second live); returns true when it published. */
  onSnapshot(snapshot: Pick<Snapshot, 'at'>): boolean {
    if (snapshot.at - this.lastCheckAt < this.everyMs) return false;
    this.lastCheckAt = snapshot.at;
    const engine = this.engine;
    const mask = engine.devices.mask;
    const published = this.published;
    const down = this.down;
    let count = 0;
    let maintenance = 0;
    let changed = this.stale;
    for (let d = 0; d < mask.length; d++) {
      let code = 0;
      if ((mask[d] & ONLINE) === 0) {
        if ((mask[d] & MAINTENANCE) !== 0) maintenance++;
        // Both words the document gives may change on their own: a camera behind a dark gateway goes silent.
        code =
          causeCode(downCause(engine, d).cause) | (missingReason(engine, d, ONLINE) === 'offline' ? 0 : 16);
        down[count++] = d;
      }
      if (code !== published[d]) {
        published[d] = code;
        changed = true;
      }
    }
    if (!changed) return false;
    this.stale = false;
    const { order, neverHeard } = heardFirst(engine, down, count);
    const doc = downDocument(engine, snapshot.at, order, count, this.limit, { maintenance, neverHeard });
    this.publish(DOWN_TOPIC, JSON.stringify(doc));
    this.sent++;
    return true;
  }
}
