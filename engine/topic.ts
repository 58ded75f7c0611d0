// docs/contract.md §2: `city/<kind>/<deviceId>/<channel>`, with the channels each kind may use.
import { DEVICE_KINDS, type DeviceKind } from '../registry/inventory.js';

export const CHANNELS = ['status', 'heartbeat', 'telemetry', 'arrival'] as const;
export type Channel = (typeof CHANNELS)[number];

const CHANNELS_OF: Readonly<Record<DeviceKind, readonly Channel[]>> = {
  cctv: ['status', 'heartbeat'],
  'cctv-gateway': ['status', 'heartbeat'],
  'pipe-monitor': ['status', 'heartbeat', 'telemetry'],
  'transit-beacon': ['status', 'heartbeat', 'arrival'],
  sensor: ['status', 'heartbeat', 'telemetry'],
};

/** The channels a kind publishes on (docs/devices.md, the AsyncAPI document). */
export function channelsOf(kind: DeviceKind): readonly Channel[] {
  return CHANNELS_OF[kind];
}

export interface ParsedTopic {
  kind: DeviceKind;
  deviceId: string;
  channel: Channel;
}

const KIND_SET = new Set<string>(DEVICE_KINDS);

/** null for anything that is not exactly four levels with a known kind and a channel that kind uses. */
export function parseTopic(topic: string): ParsedTopic | null {
  if (!topic.startsWith('city/')) return null;
  const k = topic.indexOf('/', 5);
  if (k < 0) return null;
  const i = topic.indexOf('/', k + 1);
  if (i < 0 || i === k + 1) return null;
  const channel = topic.slice(i + 1);
  const kind = topic.slice(5, k);
  if (!KIND_SET.has(kind)) return null;
  if (!(CHANNELS_OF[kind as DeviceKind] as readonly string[]).includes(channel)) return null;
  return { kind: kind as DeviceKind, deviceId: topic.slice(k + 1, i), channel: channel as Channel };
}

export function deviceTopic(kind: DeviceKind, deviceId: string, channel: Channel): string {
  return `city/${kind}/${deviceId}/${channel}`;
}
