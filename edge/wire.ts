// What edge devices put on the wire (docs/contract.md §2): topics, channels and payload shapes. Edge code runs on
// devices and never imports server code, so the few names it shares with the registry are repeated here.

export const DEVICE_KINDS = ['cctv', 'cctv-gateway', 'pipe-monitor', 'transit-beacon', 'sensor'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export type Channel = 'status' | 'heartbeat' | 'telemetry' | 'arrival';

/** docs/contract.md §2: payloads are at most 16 KiB; a bigger one would be refused by the broker forever. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/** docs/contract.md §2: the Last Will carries no `ts` — the broker, not the device, sends it. */
export const LAST_WILL_PAYLOAD = '{"state":"offline"}';

export type VideoState = 'ok' | 'degraded' | 'lost';

/** Extra fields of a camera's status (docs/contract.md §2); other kinds' statuses carry only `state`. */
export interface CameraStatusFields {
  video: VideoState;
  shared: boolean;
}

export interface PipeTelemetry {
  pressureKPa: number;
  flowLps: number;
  leak: boolean;
}

export interface ArrivalForecast {
  routeId: string;
  stopId: string;
  vehicleId: string;
  /** Epoch ms or RFC 3339, like `ts`. */
  predictedArrival: number | string;
}

export interface SensorTelemetry {
  metrics: Record<string, number>;
}

/** A device a connection reports for: itself, or (for a gateway) one of its cameras. */
export interface DeviceRef {
  kind: DeviceKind;
  id: string;
}

export function topicOf(ref: DeviceRef, channel: Channel): string {
  return `city/${ref.kind}/${ref.id}/${channel}`;
}
