// The devices that are down (not online, CONTRACT §3), with where they stand, for the dashboard map:
// published retained on `city/devices/down` when the set or a reason changed, at most once every 5 s.
// The check scans the engine's condition bits once per interval and allocates nothing unless it publishes.
import { DEVICE_KINDS } from '../registry/inventory.js';
import type { CityEngine, Snapshot } from './city-engine.js';
import { ONLINE } from './city-model.js';
import { isoTime, type MissingReason, missingReason } from './device-status.js';
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
  since: string | null;
}

export interface DownDocument {
  ts: string;
  /** Every device down, even past the list's limit. */
  count: number;
  /** Devices registered. */
  total: number;
  /** In inventory order, at most the limit. */
  devices: DownDevice[];
  /** Present when the list stops short of `count`. */
  truncated?: true;
}

/** Not online means the reason can only be these two; 0 stands for online. */
const REASON_CODE: Readonly<Partial<Record<MissingReason, number>>> = {
  offline: 1,
  'behind-offline-gateway': 2,
};

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
    since: isoTime(engine.devices.changedAt[d]),
  };
}

function downDocument(
  engine: CityEngine,
  at: number,
  down: ArrayLike<number>,
  count: number,
  limit: number,
): DownDocument {
  const listed = Math.min(count, limit);
  const devices: DownDevice[] = new Array(listed);
  for (let i = 0; i < listed; i++) devices[i] = downDevice(engine, down[i]);
  const doc: DownDocument = {
    ts: new Date(at).toISOString(),
    count,
    total: engine.model.deviceIds.length,
    devices,
  };
  if (count > listed) doc.truncated = true;
  return doc;
}

/** The devices down now, as published on DOWN_TOPIC (for the HTTP API: computed on request). */
export function devicesDown(engine: CityEngine, at: number, limit = DOWN_LIMIT): DownDocument {
  const mask = engine.devices.mask;
  const listed: number[] = [];
  let count = 0;
  for (let d = 0; d < mask.length; d++) {
    if ((mask[d] & ONLINE) !== 0) continue;
    if (count++ < limit) listed.push(d);
  }
  return downDocument(engine, at, listed, count, limit);
}

export interface DownPublisherOptions {
  everyMs?: number;
  limit?: number;
}

export class DownPublisher {
  /** Reason code per device as last published (0 online): the change test needs no per-device objects. */
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
    let changed = this.stale;
    for (let d = 0; d < mask.length; d++) {
      let code = 0;
      if ((mask[d] & ONLINE) === 0) {
        code = REASON_CODE[missingReason(engine, d, ONLINE)] ?? 1;
        down[count++] = d;
      }
      if (code !== published[d]) {
        published[d] = code;
        changed = true;
      }
    }
    if (!changed) return false;
    this.stale = false;
    this.publish(DOWN_TOPIC, JSON.stringify(downDocument(engine, snapshot.at, down, count, this.limit)));
    this.sent++;
    return true;
  }
}
