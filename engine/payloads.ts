// The device payloads (docs/devices.md), one zod schema per channel. Unknown extra fields are accepted and
// dropped (newer firmware may send more). The descriptions are the documentation: engine/asyncapi.ts turns
// these schemas into the JSON Schemas of /asyncapi.json. JSON cannot carry NaN or Infinity, and zod's numbers refuse them anyway.
// Each schema's error says the field's rule in a field engineer's words; zod only builds those messages
// for a payload that fails, so the accepted path pays nothing for them.
import { z } from 'zod';
import type { DeviceKind } from '../registry/inventory.js';
import type { Channel } from './topic.js';

/** A zod `error` option: the rule, said as "missing: <rule>" when the field is absent. */
const rule = (text: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? `missing, ${text}` : text;

const TIME_RULE = 'must be epoch milliseconds ≥ 0 or an RFC 3339 time with an offset';
/** Device clock: epoch milliseconds or RFC 3339. Informational: the engine's clock is the receive time. */
const DeviceTime = z.union(
  [
    z.number({ error: rule(TIME_RULE) }).nonnegative({ error: TIME_RULE }),
    z.iso.datetime({ offset: true, error: TIME_RULE }),
  ],
  { error: rule(TIME_RULE) },
);
const SEQ_RULE = 'must be an integer ≥ 0';
/** Per device, increasing; lets the engine drop QoS 1 redeliveries. */
const Seq = z
  .number({ error: SEQ_RULE })
  .int({ error: SEQ_RULE })
  .nonnegative({ error: SEQ_RULE })
  .optional()
  .describe(
    'per device, increasing: a repeat of one seen in the last 10 minutes is a QoS 1 redelivery, dropped',
  );
const TS =
  "the device's clock, epoch milliseconds or RFC 3339 (informational: the engine times a message by its arrival)";
const State = z.enum(['online', 'offline'], { error: rule(`must be "online" or "offline"`) });
const Num = () => z.number({ error: rule('expected a number') });
const Bool = () => z.boolean({ error: rule('expected true or false') });
const Name = () =>
  z.string({ error: rule('expected a non-empty string') }).min(1, { error: 'must not be empty' });
const payloadObject = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.object(shape, { error: 'expected a JSON object' });

export const StatusSchema = payloadObject({
  state: State.describe('offline takes the device offline at once; any later message brings it back'),
  // The Last Will is `{"state":"offline"}` with no time: it is composed when the device connects.
  ts: DeviceTime.optional().describe(`${TS}; absent in the Last Will`),
  seq: Seq,
});

export const CameraStatusSchema = payloadObject({
  state: State.describe('offline takes the camera offline at once; any later message brings it back'),
  video: z
    .enum(['ok', 'degraded', 'lost'], { error: 'must be "ok", "degraded" or "lost"' })
    .default('ok')
    .describe('the picture: a camera whose video is lost is online but not available'),
  shared: Bool()
    .default(false)
    .describe("connected to the city's video-sharing platform (counts only while available)"),
  ts: DeviceTime.optional().describe(`${TS}; absent in the Last Will`),
  seq: Seq,
});

export const HeartbeatSchema = payloadObject({ ts: DeviceTime.describe(TS), seq: Seq });

export const PipeTelemetrySchema = payloadObject({
  ts: DeviceTime.describe(TS),
  seq: Seq,
  pressureKPa: Num().describe('pressure in kilopascals'),
  flowLps: Num().describe('flow in litres per second'),
  leak: Bool().describe("the monitor's own leak detection"),
});

export const SensorTelemetrySchema = payloadObject({
  ts: DeviceTime.describe(TS),
  seq: Seq,
  metrics: z
    .record(z.string(), Num(), { error: rule('expected an object of named numbers') })
    .describe('readings by name (pm25, no2, kwh, …), each a number'),
});

export const ArrivalSchema = payloadObject({
  ts: DeviceTime.describe(TS),
  seq: Seq,
  routeId: Name().describe("a route_id of the city's routes.txt (GTFS); an unknown one is refused"),
  stopId: Name().describe('the stop the vehicle will reach'),
  vehicleId: Name().describe('the vehicle the beacon is on'),
  predictedArrival: DeviceTime.describe(
    'when the vehicle will reach the stop: epoch milliseconds or RFC 3339',
  ),
});

export type StatusPayload = z.infer<typeof StatusSchema>;
export type CameraStatusPayload = z.infer<typeof CameraStatusSchema>;
export type ArrivalPayload = z.infer<typeof ArrivalSchema>;
export type Payload = { seq?: number } & Record<string, unknown>;

/** The schema a kind's channel must meet: cameras' status and sensors' telemetry carry more. */
export function schemaFor(kind: DeviceKind, channel: Channel): z.ZodType<Payload> {
  switch (channel) {
    case 'status':
      return (kind === 'cctv' ? CameraStatusSchema : StatusSchema) as z.ZodType<Payload>;
    case 'heartbeat':
      return HeartbeatSchema as z.ZodType<Payload>;
    case 'arrival':
      return ArrivalSchema as z.ZodType<Payload>;
    case 'telemetry':
      return (kind === 'sensor' ? SensorTelemetrySchema : PipeTelemetrySchema) as z.ZodType<Payload>;
  }
}

/** Field problems named in one reason at most; the rest are counted. */
const MAX_PROBLEMS = 3;

/**
 * Why a payload fails its schema, field by field: `pressureKPa: expected a number; seq: must be an
 * integer ≥ 0`. A nested field is a dotted path (`metrics.pm25`); the payload itself is `payload`.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, MAX_PROBLEMS).map((i) => {
    const path = i.path.length === 0 ? 'payload' : i.path.map(String).join('.');
    return `${path}: ${i.message}`;
  });
  if (issues.length > MAX_PROBLEMS) parts.push(`and ${issues.length - MAX_PROBLEMS} more`);
  return parts.join('; ');
}

/**
 * A payload as its schema would return it, built without zod when the payload is plainly valid; undefined
 * when zod must decide (anything unusual: a time as text, a huge seq, a wrong type). zod's checks cost more
 * than the rest of admission together, and nearly every message is the plain case. The test
 * (test/engine/payload-fast-path.test.ts) holds both to the same output, key order included.
 */
export type FastPath = (json: unknown) => Payload | undefined;

type Obj = Record<string, unknown>;
const isObject = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
/**
 * Epoch ms, or an RFC 3339 time in the one form `Date#toISOString` writes (`2026-01-05T06:00:58.376Z`):
 * the round trip proves it a real instant, which zod's pattern accepts. Other forms are left to zod.
 */
const isTime = (x: unknown): x is number | string =>
  typeof x === 'number'
    ? x >= 0
    : typeof x === 'string' && x.length === 24 && x.charCodeAt(23) === 90 /* Z */ && isoRoundTrip(x);

function isoRoundTrip(s: string): boolean {
  const ms = Date.parse(s);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === s;
}
const isSeq = (x: unknown) => x === undefined || (Number.isSafeInteger(x) && (x as number) >= 0);
const isName = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const isState = (x: unknown) => x === 'online' || x === 'offline';
const isVideo = (x: unknown) => x === undefined || x === 'ok' || x === 'degraded' || x === 'lost';

// Keys in the schema's order, absent optional ones left out, defaults filled in: what zod returns.
function withSeq(out: Obj, seq: unknown): Payload {
  if (seq !== undefined) out.seq = seq;
  return out as Payload;
}

const fastHeartbeat: FastPath = (j) => {
  if (!isObject(j) || !isTime(j.ts) || !isSeq(j.seq)) return undefined;
  return withSeq({ ts: j.ts }, j.seq);
};

const fastStatus: FastPath = (j) => {
  if (!isObject(j) || !isState(j.state) || !(j.ts === undefined || isTime(j.ts)) || !isSeq(j.seq))
    return undefined;
  const out: Obj = { state: j.state };
  if (j.ts !== undefined) out.ts = j.ts;
  return withSeq(out, j.seq);
};

const fastCameraStatus: FastPath = (j) => {
  if (!isObject(j) || !isState(j.state) || !isVideo(j.video) || !(j.ts === undefined || isTime(j.ts)))
    return undefined;
  if (!(j.shared === undefined || typeof j.shared === 'boolean') || !isSeq(j.seq)) return undefined;
  const out: Obj = { state: j.state, video: j.video ?? 'ok', shared: j.shared ?? false };
  if (j.ts !== undefined) out.ts = j.ts;
  return withSeq(out, j.seq);
};

const fastPipe: FastPath = (j) => {
  if (!isObject(j) || !isTime(j.ts) || !isSeq(j.seq)) return undefined;
  const { pressureKPa, flowLps, leak } = j;
  if (typeof pressureKPa !== 'number' || typeof flowLps !== 'number' || typeof leak !== 'boolean')
    return undefined;
  const out = withSeq({ ts: j.ts }, j.seq) as Obj;
  out.pressureKPa = pressureKPa;
  out.flowLps = flowLps;
  out.leak = leak;
  return out as Payload;
};

const fastSensor: FastPath = (j) => {
  if (!isObject(j) || !isTime(j.ts) || !isSeq(j.seq) || !isObject(j.metrics)) return undefined;
  const metrics: Record<string, number> = {};
  for (const key in j.metrics) {
    const v = (j.metrics as Obj)[key];
    // zod drops a `__proto__` key: leave that rarity to zod.
    if (typeof v !== 'number' || key === '__proto__') return undefined;
    metrics[key] = v;
  }
  const out = withSeq({ ts: j.ts }, j.seq) as Obj;
  out.metrics = metrics;
  return out as Payload;
};

const fastArrival: FastPath = (j) => {
  if (!isObject(j) || !isTime(j.ts) || !isSeq(j.seq)) return undefined;
  const { routeId, stopId, vehicleId, predictedArrival } = j;
  if (!isName(routeId) || !isName(stopId) || !isName(vehicleId) || !isTime(predictedArrival))
    return undefined;
  const out = withSeq({ ts: j.ts }, j.seq) as Obj;
  out.routeId = routeId;
  out.stopId = stopId;
  out.vehicleId = vehicleId;
  out.predictedArrival = predictedArrival;
  return out as Payload;
};

/** The fast path beside schemaFor(kind, channel). */
export function fastPathFor(kind: DeviceKind, channel: Channel): FastPath {
  switch (channel) {
    case 'status':
      return kind === 'cctv' ? fastCameraStatus : fastStatus;
    case 'heartbeat':
      return fastHeartbeat;
    case 'arrival':
      return fastArrival;
    case 'telemetry':
      return kind === 'sensor' ? fastSensor : fastPipe;
  }
}
