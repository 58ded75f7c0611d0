// Why a device that is down is down, in the words an operator uses (issue 15 item 1): never heard, silent
// past its expected interval, offline by its own report or Last Will, behind a gateway that is down, or in
// planned maintenance. Read from the engine's liveness arrays (engine/device-state.ts); no clock, no I/O.
import type { CityEngine } from './city-engine.js';
import { MAINTENANCE, ONLINE } from './city-model.js';

export const DOWN_CAUSES = ['maintenance', 'behind-gateway', 'offline', 'silent', 'never-heard'] as const;
export type DownCause = (typeof DOWN_CAUSES)[number];

export interface DownExplanation {
  cause: DownCause;
  /** The gateway that is down, for `behind-gateway`; null otherwise. */
  gateway: string | null;
}

/** Device d's cause; call only for a device that is not online. */
export function downCause(engine: CityEngine, d: number): DownExplanation {
  const st = engine.devices;
  const m = engine.model;
  if ((st.mask[d] & MAINTENANCE) !== 0) return { cause: 'maintenance', gateway: null };
  // A cluster's API node holds only the merged condition bits, no last-heard times: there a device whose
  // condition ever changed was heard by some shard (elsewhere only a maintenance edge changes a silent one's).
  const heardOf = (i: number) => !Number.isNaN(st.lastSeen[i]) || !Number.isNaN(st.changedAt[i]);
  const heard = heardOf(d);
  const g = m.gateway[d];
  // docs/contract.md §3: a camera is online only through its gateway. A camera that went quiet because its
  // gateway did is the gateway's failure, unless the camera itself said it is offline.
  if (g >= 0 && (st.mask[g] & ONLINE) === 0 && st.saidOffline[d] === 0 && (heard || heardOf(g)))
    return { cause: 'behind-gateway', gateway: m.deviceIds[g] };
  if (!heard) return { cause: 'never-heard', gateway: null };
  // A status `offline` or the Last Will (docs/devices.md) holds until the device sends anything again.
  if (st.saidOffline[d] === 1) return { cause: 'offline', gateway: null };
  return { cause: 'silent', gateway: null };
}

/** A small code per cause for change tests over typed arrays: 0 is reserved for online. */
export const causeCode = (cause: DownCause): number => DOWN_CAUSES.indexOf(cause) + 1;
