// The cluster's partition rule (issue 11), pure: which partition of the log a device's messages go to.
// Only what one engine must decide with both in view stays together: a gateway and its cameras, since a
// camera is online only while its gateway is (docs/contract.md §3). Everything an indicator merely counts together
// (an asset's devices, a route's buses) may be spread: the merge decides coverage from every device's
// condition bits, whichever partition they come from (cluster/merge.ts). Spread this way the partitions
// are even: the sample city's largest group is one gateway with 50 cameras, where whole assets made one
// group of 455 devices (docs/cluster.md).
import type { Device, Inventory } from '../registry/inventory.js';

/** A device's group: `gateway:<id>` for a gateway and the cameras behind it, else `device:<id>`. */
export function groupKeyOf(d: Pick<Device, 'id' | 'kind' | 'gatewayId'>): string {
  if (d.kind === 'cctv-gateway') return `gateway:${d.id}`;
  if (d.kind === 'cctv' && d.gatewayId) return `gateway:${d.gatewayId}`;
  return `device:${d.id}`;
}

/** Each device's group key. */
export function groupKeys(inventory: Pick<Inventory, 'devices'>): Map<string, string> {
  const keys = new Map<string, string>();
  for (const d of inventory.devices.values()) keys.set(d.id, groupKeyOf(d));
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

/**
 * The partition of a message for device `deviceId`: its group's when the device is registered; an
 * unregistered id hashes as its own group, so its refusals are counted by the same partition every time.
 */
export function partitionOfDevice(
  deviceId: string,
  partitionOf: ReadonlyMap<string, number>,
  partitions: number,
): number {
  return partitionOf.get(deviceId) ?? partitionOfKey(`device:${deviceId}`, partitions);
}
