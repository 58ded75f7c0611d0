// The traffic bench:cluster plays: the first N lines of a recorded city that a device can really publish
// (its own registered id, its kind's channel, within the broker's 16 KiB), each device on its own connection.
// Faults the engine judges (bad JSON, bad payloads, redeliveries, unknown routes) stay in: both targets
// count them as refused. Faults the broker refuses before any engine sees them (unknown devices, another
// kind's topic, oversized) are left out, since neither target would count them.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseTopic } from '../../engine/topic.js';
import type { Inventory } from '../../registry/inventory.js';

const MAX_PAYLOAD_BYTES = 16 * 1024;

/** One message to publish: the device's place in `devices`, the topic, the payload as sent. */
export type PlannedMessage = [device: number, topic: string, payload: string];

export interface Traffic {
  /** Device ids in order of their first message. */
  devices: string[];
  messages: PlannedMessage[];
  /** Recording lines looked at, and how many were left out as the broker would refuse them. */
  read: number;
  leftOut: number;
  /** Lines skipped as their device is beyond `maxDevices`. */
  otherDevices: number;
}

/** The payload bytes of a recording line's payload: a string is sent as it is (a malformed one stays so). */
export function payloadText(payload: unknown): string {
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

/** What a device may publish on a broker that admits it: its own registered id, its kind, a small payload. */
export function publishable(inventory: Inventory, topic: string, payload: string): string | undefined {
  const parsed = parseTopic(topic);
  if (!parsed) return undefined;
  const device = inventory.devices.get(parsed.deviceId);
  if (!device || device.kind !== parsed.kind) return undefined;
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) return undefined;
  return parsed.deviceId;
}

/**
 * The first `count` publishable lines of `lines` from at most `maxDevices` devices (the first to speak), with
 * the devices numbered by first appearance.
 */
export function planTraffic(
  inventory: Inventory,
  lines: Iterable<string>,
  count: number,
  maxDevices = Number.POSITIVE_INFINITY,
): Traffic {
  const index = new Map<string, number>();
  const devices: string[] = [];
  const messages: PlannedMessage[] = [];
  let read = 0;
  let leftOut = 0;
  let otherDevices = 0;
  for (const line of lines) {
    if (messages.length >= count) break;
    if (!line) continue;
    read++;
    let parsed: { topic?: unknown; payload?: unknown };
    try {
      parsed = JSON.parse(line);
    } catch {
      leftOut++;
      continue;
    }
    const topic = typeof parsed.topic === 'string' ? parsed.topic : '';
    const payload = payloadText(parsed.payload);
    const id = publishable(inventory, topic, payload);
    if (id === undefined) {
      leftOut++;
      continue;
    }
    let d = index.get(id);
    if (d === undefined) {
      if (devices.length >= maxDevices) {
        otherDevices++;
        continue;
      }
      d = devices.length;
      index.set(id, d);
      devices.push(id);
    }
    messages.push([d, topic, payload]);
  }
  return { devices, messages, read, leftOut, otherDevices };
}

/** The first lines of a recording file, read only as far as needed (enough for `count` messages and some). */
export async function readLines(file: string, max: number): Promise<string[]> {
  const out: string[] = [];
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    out.push(line);
    if (out.length >= max) break;
  }
  rl.close();
  return out;
}

/** A bench device's MQTT password: derived from its id, so every node's copy of the registry agrees. */
export function benchToken(id: string): string {
  return createHash('sha256').update(`citygauge-bench-cluster:${id}`).digest('base64url').slice(0, 32);
}

export interface FleetShare {
  /** [device id, token, which broker URL] */
  devices: [string, string, number][];
  messages: PlannedMessage[];
}

/**
 * The traffic split over `processes` publishing processes, device d in process d mod processes and on broker
 * URL d mod `urls`: each device's messages stay on its one connection, in recorded order.
 */
export function shareFleet(traffic: Traffic, processes: number, urls: number): FleetShare[] {
  const shares: FleetShare[] = Array.from({ length: processes }, () => ({ devices: [], messages: [] }));
  const local = new Array<number>(traffic.devices.length);
  traffic.devices.forEach((id, d) => {
    const share = shares[d % processes];
    local[d] = share.devices.length;
    share.devices.push([id, benchToken(id), d % urls]);
  });
  for (const [d, topic, payload] of traffic.messages) {
    shares[d % processes].messages.push([local[d], topic, payload]);
  }
  return shares;
}

export const nonZero = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/**
 * Every message judged as the one process judged them: as many accepted, as many refused for each reason. A
 * front door may append a message twice (a JetStream ack slower than its 2 s retry), and the engine drops the
 * copy as a duplicate: so duplicates count at least as many, never in place of another message.
 */
export function judgedAll(
  status: { accepted: number; rejected: Record<string, number> },
  reference: { accepted: number; rejectedBy: Record<string, number> },
): boolean {
  if (status.accepted < reference.accepted) return false;
  return Object.entries(reference.rejectedBy).every(([reason, n]) => (status.rejected[reason] ?? 0) >= n);
}
