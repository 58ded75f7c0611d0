// CONTRACT §2 payloads, one zod schema per channel. Unknown extra fields are accepted and dropped (newer
// firmware may send more). JSON cannot carry NaN or Infinity, and zod's numbers refuse them anyway.
import { z } from 'zod';

/** Device clock: epoch milliseconds or RFC 3339. Informational: the engine's clock is the receive time. */
const DeviceTime = z.union([z.number().nonnegative(), z.iso.datetime({ offset: true })]);
/** Per device, increasing; lets the engine drop QoS 1 redeliveries. */
const Seq = z.number().int().nonnegative().optional();

export const StatusSchema = z.object({
  state: z.enum(['online', 'offline']),
  // The Last Will is `{"state":"offline"}` with no time: it is composed when the device connects.
  ts: DeviceTime.optional(),
  seq: Seq,
});

export const CameraStatusSchema = z.object({
  state: z.enum(['online', 'offline']),
  video: z.enum(['ok', 'degraded', 'lost']).default('ok'),
  shared: z.boolean().default(false),
  ts: DeviceTime.optional(),
  seq: Seq,
});

export const HeartbeatSchema = z.object({ ts: DeviceTime, seq: Seq });

export const PipeTelemetrySchema = z.object({
  ts: DeviceTime,
  seq: Seq,
  pressureKPa: z.number(),
  flowLps: z.number(),
  leak: z.boolean(),
});

export const SensorTelemetrySchema = z.object({
  ts: DeviceTime,
  seq: Seq,
  metrics: z.record(z.string(), z.number()),
});

export const ArrivalSchema = z.object({
  ts: DeviceTime,
  seq: Seq,
  routeId: z.string().min(1),
  stopId: z.string().min(1),
  vehicleId: z.string().min(1),
  predictedArrival: DeviceTime,
});

export type StatusPayload = z.infer<typeof StatusSchema>;
export type CameraStatusPayload = z.infer<typeof CameraStatusSchema>;
export type ArrivalPayload = z.infer<typeof ArrivalSchema>;
export type Payload = { seq?: number } & Record<string, unknown>;
