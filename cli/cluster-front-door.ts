// `citygauge broker --cluster URL`: the broker becomes one of the cluster's front doors. Every device
// message it admits (credentials, ACL, limits and flood protection as ever) is appended to the log under
// its device's partition, and a QoS 1 PUBACK goes back only once the log has it (broker/front-door.ts).
import { hostname } from 'node:os';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { type FrontDoor, installFrontDoor } from '../broker/front-door.js';
import type { ClusterLog } from '../cluster/log.js';
import { partitionDevices, partitionOfDevice } from '../cluster/partition.js';
import { deviceOfTopic } from '../cluster/recording-split.js';
import type { Inventory } from '../registry/inventory.js';

/** What the city publishes itself: not device traffic, never logged. */
const CITY_OUTPUT = /^city\/(indicators|alerts|devices|incidents)\//;

export interface ClusterFrontDoor {
  door: FrontDoor;
  /** The registry changed: devices (and gateways' cameras) may map to other partitions. */
  updateInventory(inventory: Inventory): void;
}

export function joinAsFrontDoor(
  aedes: Aedes,
  log: ClusterLog,
  partitions: number,
  inventory: Inventory,
  logger: Logger,
  id = `door-${hostname()}-${process.pid}`,
): ClusterFrontDoor {
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
    updateInventory(next) {
      partitionOf = partitionDevices(next, partitions);
    },
  };
}
