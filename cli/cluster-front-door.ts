// `citygauge broker --cluster URL`: the broker becomes one of the cluster's front doors. Every device
// message it admits (credentials, ACL, limits and flood protection as ever) is appended to the log under
// its device's partition, and a QoS 1 PUBACK goes back only once the log has it (broker/front-door.ts).
import { hostname } from 'node:os';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { type FrontDoor, installFrontDoor } from '../broker/front-door.js';
import { InventoryStore } from '../cluster/inventory-store.js';
import type { ClusterLog } from '../cluster/log.js';
import { partitionDevices, partitionOfDevice } from '../cluster/partition.js';
import { deviceOfTopic } from '../cluster/recording-split.js';
import type { Inventory } from '../registry/inventory.js';
import { whileJoining } from './cluster-flags.js';

/** What the city publishes itself: not device traffic, never logged. */
const CITY_OUTPUT = /^city\/(indicators|alerts|devices|incidents)\//;

export interface ClusterFrontDoor {
  door: FrontDoor;
  /**
   * The registry changed: the new version is stored and announced in every partition first (the shards
   * switch there), then devices (and gateways' cameras) map to their partitions in it. Resolves once the
   * log has the announcement: only then may the broker admit devices under the new registry.
   */
  updateInventory(inventory: Inventory): Promise<void>;
}

/** Stores the registry version and appends a registry record naming it to every partition. */
async function announce(
  log: ClusterLog,
  inventories: InventoryStore,
  inventory: Inventory,
  partitions: number,
): Promise<string> {
  const version = await inventories.put(inventory);
  const at = Date.now();
  await Promise.all(
    Array.from({ length: partitions }, (_, p) => log.append(p, { kind: 'registry', at, version })),
  );
  return version;
}

export async function joinAsFrontDoor(
  aedes: Aedes,
  log: ClusterLog,
  partitions: number,
  inventory: Inventory,
  logger: Logger,
  id = `door-${hostname()}-${process.pid}`,
): Promise<ClusterFrontDoor> {
  const inventories = await whileJoining(
    'opening the registry versions',
    () => InventoryStore.open(log.nc),
    logger,
  );
  // Whatever registry the shards started with, the log says which one this door admits under.
  const version = await whileJoining(
    'announcing the registry to the log',
    () => announce(log, inventories, inventory, partitions),
    logger,
  );
  logger.info({ version }, 'registry announced to the log');
  let partitionOf = partitionDevices(inventory, partitions);
  const door = installFrontDoor(aedes, {
    logger,
    accepts: (m) => m.topic.startsWith('city/') && !CITY_OUTPUT.test(m.topic),
    append: async (m) => {
      const p = partitionOfDevice(deviceOfTopic(m.topic), partitionOf, partitions);
      await log.append(p, {
        kind: 'message',
        topic: m.topic,
        payload: m.payload,
        receivedAt: m.receivedAt,
        frontDoor: id,
      });
    },
  });
  return {
    door,
    async updateInventory(next) {
      try {
        const version = await announce(log, inventories, next, partitions);
        logger.info({ version, devices: next.devices.size }, 'registry change announced to the log');
      } catch (err) {
        logger.error(
          { err: (err as Error).message },
          'could not announce the registry change to the log: the shards keep the old registry, and messages of new devices are refused until the next change',
        );
      }
      partitionOf = partitionDevices(next, partitions);
    },
  };
}
