// The cluster's partition rule (issue 11), pure: which partition of the log a device's messages go to.
// An indicator needs together what it counts together, so devices are grouped before they are hashed:
// the devices of one asset (an area's cameras, a segment's monitors, a site's sensors) and a gateway with
// its cameras stay in one group, transitively (two gateways whose cameras share an area are one group).
// Transit beacons are not grouped by route: route coverage merges by latest arrival, so a beacon is its
// own group and buses spread evenly. A group is named by its smallest anchor (asset or gateway), which a
// new device joining the group does not change unless it brings a smaller one.
import type { Device, DeviceKind, Inventory } from '../registry/inventory.js';

/** The asset kind a device of this kind counts for, when it is grouped by its asset. */
const ASSET_OF: Partial<Record<DeviceKind, string>> = {
  cctv: 'area',
  'pipe-monitor': 'pipe',
  sensor: 'site',
};

/** The anchors that tie a device to others: `area:a1`, `gateway:gw-1`, … (none for a beacon). */
function anchorsOf(d: Device): string[] {
  const anchors: string[] = [];
  const asset = ASSET_OF[d.kind];
  if (asset && d.assetId) anchors.push(`${asset}:${d.assetId}`);
  if (d.kind === 'cctv-gateway') anchors.push(`gateway:${d.id}`);
  else if (d.kind === 'cctv' && d.gatewayId) anchors.push(`gateway:${d.gatewayId}`);
  return anchors;
}

/** Union-find over anchors, by path halving; the root of a set is its smallest anchor. */
class Anchors {
  private readonly parent = new Map<string, string>();

  find(a: string): string {
    let x = a;
    for (;;) {
      const p = this.parent.get(x);
      if (p === undefined || p === x) return x;
      const grand = this.parent.get(p) ?? p;
      this.parent.set(x, grand);
      x = grand;
    }
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The smaller name is the root: a group's key depends on its members, not on the order they came in.
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }
}

/**
 * Each device's group key: the smallest anchor of its group, or `device:<id>` for a device tied to no
 * other (a beacon, a sensor without a site).
 */
export function groupKeys(inventory: Pick<Inventory, 'devices'>): Map<string, string> {
  const anchors = new Anchors();
  const ofDevice = new Map<string, string[]>();
  for (const d of inventory.devices.values()) {
    const own = anchorsOf(d);
    ofDevice.set(d.id, own);
    for (let i = 1; i < own.length; i++) anchors.union(own[0], own[i]);
  }
  const keys = new Map<string, string>();
  for (const [id, own] of ofDevice) keys.set(id, own.length ? anchors.find(own[0]) : `device:${id}`);
  return keys;
}

/** FNV-1a over the key's UTF-16 code units: stable across processes, versions and platforms. */
export function partitionOfKey(key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`the partition count is a whole number ≥ 1, not ${partitions}`);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** Each device's partition out of `partitions` (fixed when the cluster is set up). */
export function partitionDevices(
  inventory: Pick<Inventory, 'devices'>,
  partitions: number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, key] of groupKeys(inventory)) out.set(id, partitionOfKey(key, partitions));
  return out;
}
