// Registry versions in the JetStream object store, by name (cluster/inventory-version.ts): a front door that
// hears of a registry change stores the new version before it announces it in the log, so a shard or an API
// node that meets the announcement, now or in a replay next week, can load exactly that version.
import { type NatsConnection, type ObjectStore, StorageType } from 'nats';
import type { Inventory } from '../registry/inventory.js';
import { decodeInventory, encodeInventory, inventoryVersion } from './inventory-version.js';
import { clusterReplicas } from './nats-connection.js';

export const INVENTORY_BUCKET = 'citygauge-inventories';

export class InventoryStore {
  private readonly cache = new Map<string, Inventory>();

  private constructor(private readonly os: ObjectStore) {}

  static async open(nc: NatsConnection, options: { replicas?: number } = {}): Promise<InventoryStore> {
    const os = await nc.jetstream().views.os(INVENTORY_BUCKET, {
      replicas: options.replicas ?? clusterReplicas(nc),
      storage: StorageType.File,
    });
    return new InventoryStore(os);
  }

  /** Stores the version (once: a version is its content) and returns its name. */
  async put(inventory: Inventory): Promise<string> {
    const bytes = encodeInventory(inventory);
    const version = inventoryVersion(bytes);
    if (!this.cache.has(version) && !(await this.os.info(version))) {
      await this.os.putBlob({ name: version, description: `${inventory.devices.size} devices` }, bytes);
    }
    this.cache.set(version, decodeInventory(bytes));
    return version;
  }

  /** The stored version; throws when no node ever stored it. */
  async get(version: string): Promise<Inventory> {
    const known = this.cache.get(version);
    if (known) return known;
    const bytes = await this.os.getBlob(version);
    if (!bytes)
      throw new Error(
        `registry version ${version} is not in the object store ${INVENTORY_BUCKET}: was the bucket removed?`,
      );
    const inventory = decodeInventory(bytes);
    this.cache.set(version, inventory);
    return inventory;
  }
}
