// One device's liveness as a field engineer asks it: online, available, why not and since when
// (docs/contract.md §3), read from the engine's condition bits. The reason is the same function the indicator gaps use.
import { DEVICE_KINDS, type DeviceKind } from '../registry/inventory.js';
import type { CityEngine } from './city-engine.js';
import { AVAILABLE, MAINTENANCE, ONLINE, SHARED } from './city-model.js';

/** Why a device does not meet what an indicator (or a person) requires of it. */
export type MissingReason =
  | 'maintenance'
  | 'offline'
  | 'behind-offline-gateway'
  | 'video-lost'
  | 'not-shared'
  | 'not-hd';

export interface DeviceStatus {
  id: string;
  kind: DeviceKind;
  /** docs/contract.md §3: its asset's district, else its own; null when it has neither. */
  district: string | null;
  online: boolean;
  available: boolean;
  /** Why it is not online and available; null when it is both. */
  reason: MissingReason | null;
  /** When its condition last changed (engine clock); null when it has not changed since the start. */
  since: string | null;
  lastSeen: string | null;
  /** lastSeen + 3 × interval: silent past this instant it counts as offline (in the past once it has). */
  staleAt: string | null;
  expectedIntervalS: number;
}

/** Engine times as RFC 3339; null for "never" (NaN, or the 0 the engine uses before any input). */
export const isoTime = (t: number): string | null =>
  Number.isNaN(t) || t <= 0 ? null : new Date(t).toISOString();

/**
 * Why device d lacks some of the `required` condition bits (call only when it does). The one place that
 * names reasons, for the indicator gaps and the device status alike.
 */
export function missingReason(engine: CityEngine, d: number, required: number): MissingReason {
  const m = engine.model;
  const st = engine.devices;
  const mask = st.mask[d];
  // Planned work explains whatever the device lacks while a window covers it (issue 14 item 2).
  if ((mask & MAINTENANCE) !== 0) return 'maintenance';
  // Available and shared both need online: an offline camera is offline, whatever its video.
  if ((mask & ONLINE) === 0 && (required & (ONLINE | AVAILABLE | SHARED)) !== 0) {
    const g = m.gateway[d];
    return g >= 0 && (st.mask[g] & ONLINE) === 0 && st.alive[d] === 1 ? 'behind-offline-gateway' : 'offline';
  }
  if ((required & AVAILABLE & ~mask) !== 0) return 'video-lost';
  if ((required & SHARED & ~mask) !== 0) return (mask & AVAILABLE) === 0 ? 'video-lost' : 'not-shared';
  return 'not-hd';
}

const ONLINE_AND_AVAILABLE = ONLINE | AVAILABLE;

/** undefined when `id` is not registered in the engine's inventory. */
export function deviceStatus(engine: CityEngine, id: string): DeviceStatus | undefined {
  const m = engine.model;
  const d = m.deviceIndex.get(id);
  if (d === undefined) return undefined;
  const st = engine.devices;
  const mask = st.mask[d];
  const heard = !Number.isNaN(st.lastSeen[d]);
  // Devices other than cameras never lose video, so for them available is exactly online.
  const complete = (mask & ONLINE_AND_AVAILABLE) === ONLINE_AND_AVAILABLE;
  return {
    id,
    kind: DEVICE_KINDS[m.kind[d]],
    district: m.scope[d] > 0 ? m.scopes[m.scope[d]] : null,
    online: (mask & ONLINE) !== 0,
    available: (mask & AVAILABLE) !== 0,
    reason: complete ? null : missingReason(engine, d, ONLINE_AND_AVAILABLE),
    since: isoTime(st.changedAt[d]),
    lastSeen: heard ? isoTime(st.lastSeen[d]) : null,
    staleAt: heard ? isoTime(st.staleAt[d]) : null,
    expectedIntervalS: m.staleAfterMs[d] / 3000,
  };
}
