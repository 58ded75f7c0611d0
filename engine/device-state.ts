// Device liveness and camera availability (docs/contract.md §3) as condition bits per device, with the changes
// handed to the indicator state. Per message: O(1) plus the memberships of that one device; a gateway
// change also touches its own cameras, never the whole city.

import { AVAILABLE, type CityModel, GATEWAY, MAINTENANCE, ONLINE, SHARED } from './city-model.js';
import type { Contributions } from './contributions.js';
import type { DeadlineQueue } from './deadline-queue.js';
import type { CameraStatusPayload, StatusPayload } from './payloads.js';

const VIDEO_LOST = 2;

/** A device's condition bits changed from `old` to `mask` at t. */
export type DeviceChangeHook = (d: number, old: number, mask: number, t: number) => void;
const VIDEO_CODE = { ok: 0, degraded: 1, lost: VIDEO_LOST } as const;

export class DeviceState {
  /** 1 while the last message is at most 3 × expected interval old. */
  readonly alive: Uint8Array;
  /** 1 when the last status said offline (or was the Last Will) and no message came since. */
  readonly saidOffline: Uint8Array;
  readonly video: Uint8Array;
  readonly shared: Uint8Array;
  readonly mask: Uint8Array;
  /** 1 while a maintenance window covers the device (engine/maintenance.ts): the MAINTENANCE bit. */
  readonly inMaintenance: Uint8Array;
  /** When the device's condition last changed (engine clock), NaN before any change: the API's "since when". */
  readonly changedAt: Float64Array;
  /** Receive time of the last accepted message, NaN before the first. */
  readonly lastSeen: Float64Array;
  /** When `alive` lapses: lastSeen + 3 × interval (still online at exactly that instant). */
  readonly staleAt: Float64Array;
  private readonly queued: Uint8Array;
  /** Condition changes so far: the liveness file is saved soon after this moves (state-persistence.ts). */
  changes = 0;
  /** Told of every condition change (device, old bits, new bits, time), in order: history, incidents. */
  readonly onChange: DeviceChangeHook[] = [];
  /**
   * True where the condition bits are decided elsewhere and set with setMask (a recompute from recorded
   * states): a maintenance edge then flips the MAINTENANCE bit alone, keeping the bits it was given.
   */
  externalBits = false;

  constructor(
    private readonly model: CityModel,
    private readonly contributions: Contributions,
    private readonly deadlines: DeadlineQueue,
  ) {
    const n = model.deviceIds.length;
    this.alive = new Uint8Array(n);
    this.saidOffline = new Uint8Array(n);
    this.video = new Uint8Array(n);
    this.shared = new Uint8Array(n);
    this.mask = new Uint8Array(n);
    this.inMaintenance = new Uint8Array(n);
    this.changedAt = new Float64Array(n).fill(Number.NaN);
    this.lastSeen = new Float64Array(n).fill(Number.NaN);
    this.staleAt = new Float64Array(n);
    this.queued = new Uint8Array(n);
    // Registration alone feeds some indicators (CCTV coverage, HD share): apply the static bits.
    for (let d = 0; d < n; d++) this.update(d, 0);
  }

  /** Any accepted message is a sign of life; a status also sets the offline flag and the camera fields. */
  onMessage(d: number, t: number, status: StatusPayload | CameraStatusPayload | undefined): void {
    this.alive[d] = 1;
    this.lastSeen[d] = t;
    this.staleAt[d] = t + this.model.staleAfterMs[d];
    if (this.queued[d] === 0) {
      this.queued[d] = 1;
      this.deadlines.push(this.staleAt[d], d);
    }
    if (status) {
      this.saidOffline[d] = status.state === 'offline' ? 1 : 0;
      if ('video' in status) {
        this.video[d] = VIDEO_CODE[(status as CameraStatusPayload).video];
        this.shared[d] = (status as CameraStatusPayload).shared ? 1 : 0;
      }
    } else {
      this.saidOffline[d] = 0;
    }
    this.update(d, t);
  }

  /** Called by the clock when device d's deadline `at` has passed. */
  onDeadline(d: number, at: number): void {
    if (this.staleAt[d] > at) {
      this.deadlines.push(this.staleAt[d], d); // refreshed since it was queued: wait for the new deadline
      return;
    }
    this.queued[d] = 0;
    this.alive[d] = 0;
    this.update(d, at);
  }

  /** Take over device d's state from an engine built on an earlier registry (see carry-over.ts). */
  restore(d: number, from: DeviceState, old: number): void {
    if (Number.isNaN(from.lastSeen[old])) return;
    this.alive[d] = from.alive[old];
    this.saidOffline[d] = from.saidOffline[old];
    this.video[d] = from.video[old];
    this.shared[d] = from.shared[old];
    this.lastSeen[d] = from.lastSeen[old];
    this.staleAt[d] = this.lastSeen[d] + this.model.staleAfterMs[d];
    if (this.alive[d] === 1 && this.queued[d] === 0) {
      this.queued[d] = 1;
      this.deadlines.push(this.staleAt[d], d);
    }
  }

  /**
   * Take over device d's state from a saved file (see state-file.ts): its fields as of `at`, the save time
   * (flags 0 or 1, video as coded here). It is alive only if the old engine still counted it and `at` is
   * within its deadline under today's interval; an alive device's deadline is re-armed. Follow with
   * refreshAll(at).
   */
  restoreSaved(
    d: number,
    at: number,
    lastSeen: number,
    alive: number,
    saidOffline: number,
    video: number,
    shared: number,
  ): void {
    this.lastSeen[d] = lastSeen;
    this.staleAt[d] = lastSeen + this.model.staleAfterMs[d];
    this.alive[d] = alive === 1 && at <= this.staleAt[d] ? 1 : 0;
    this.saidOffline[d] = saidOffline;
    this.video[d] = video;
    this.shared[d] = shared;
    if (this.alive[d] === 1 && this.queued[d] === 0) {
      this.queued[d] = 1;
      this.deadlines.push(this.staleAt[d], d);
    }
  }

  /**
   * Device d's condition bits as another engine decided them: a cluster's merge, whose partitions run the
   * liveness rules (a camera's bits already follow its gateway's there). True when they changed.
   */
  setMask(d: number, mask: number, t: number): boolean {
    const old = this.mask[d];
    if (mask === old) return false;
    this.mask[d] = mask;
    this.changes++;
    if (t > 0) this.changedAt[d] = t;
    this.contributions.device(d, old, mask, t);
    for (const hook of this.onChange) hook(d, old, mask, t);
    return true;
  }

  /** A maintenance window's edge reached device d at t (engine/maintenance.ts). */
  setMaintenance(d: number, on: boolean, t: number): void {
    this.inMaintenance[d] = on ? 1 : 0;
    if (this.externalBits) this.setMask(d, (this.mask[d] & ~MAINTENANCE) | (on ? MAINTENANCE : 0), t);
    else this.update(d, t);
  }

  /** Recompute every device's condition at t, after a restore. */
  refreshAll(t: number): void {
    for (let d = 0; d < this.mask.length; d++) this.update(d, t);
  }

  private selfOnline(d: number): boolean {
    return this.alive[d] === 1 && this.saidOffline[d] === 0;
  }

  private update(d: number, t: number): void {
    const m = this.model;
    const g = m.gateway[d];
    let mask = m.staticMask[d] | (this.inMaintenance[d] ? MAINTENANCE : 0);
    // docs/contract.md §3: a camera behind a gateway is online only while its gateway is online too.
    if (this.selfOnline(d) && (g < 0 || this.selfOnline(g))) {
      mask |= ONLINE;
      if (this.video[d] !== VIDEO_LOST) mask |= this.shared[d] ? AVAILABLE | SHARED : AVAILABLE;
    }
    const old = this.mask[d];
    if (!this.setMask(d, mask, t)) return;
    if (m.kind[d] === GATEWAY && (old & ONLINE) !== (mask & ONLINE)) {
      for (let i = m.camerasStart[d]; i < m.camerasStart[d + 1]; i++) this.update(m.camerasOf[i], t);
    }
  }
}
