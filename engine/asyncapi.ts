// The AsyncAPI 3.0 description of the device side of the broker (docs/devices.md), built from the zod
// schemas the engine parses payloads with (engine/payloads.ts), so the published formats cannot drift from
// the accepted ones. Written from the device's point of view: `send` is what a device publishes, `receive`
// what it may subscribe to.
import { z } from 'zod';
import { DEVICE_KINDS, type DeviceKind, ID_PATTERN } from '../registry/inventory.js';
import { MAX_PAYLOAD_BYTES } from './inbound.js';
import {
  ArrivalSchema,
  CameraStatusSchema,
  HeartbeatSchema,
  PipeTelemetrySchema,
  SensorTelemetrySchema,
  StatusSchema,
} from './payloads.js';
import { type Channel, channelsOf } from './topic.js';

/** What a device's Last Will says on its status topic (edge/session.ts sends the same). */
export const LAST_WILL = { state: 'offline' } as const;
/** The keep-alive devices are told to use: the broker sends the Last Will after 1.5× this of silence. */
export const KEEP_ALIVE_S = 30;

export interface PayloadExample {
  name: string;
  summary: string;
  payload: Record<string, unknown>;
}

interface MessageSpec {
  title: string;
  summary: string;
  schema: z.ZodType;
  examples: PayloadExample[];
}

const T = '2026-01-05T08:00:00.000Z';

/** One message per payload shape; the examples are the ones docs/devices.md shows. */
export const MESSAGES = {
  status: {
    title: 'Status',
    summary: 'Online or offline; retained, so the broker remembers the last one',
    schema: StatusSchema,
    examples: [
      {
        name: 'online',
        summary: 'sent (retained) on every connect',
        payload: { state: 'online', ts: T, seq: 1 },
      },
      {
        name: 'last-will',
        summary: 'the Last Will, composed at connect time: no ts',
        payload: { ...LAST_WILL },
      },
    ],
  },
  cameraStatus: {
    title: 'Camera status',
    summary: "A camera's state, picture and sharing; sent by the camera or by its gateway",
    schema: CameraStatusSchema,
    examples: [
      {
        name: 'online',
        summary: 'a camera online, its picture fine, shared with the platform',
        payload: { state: 'online', video: 'ok', shared: true, ts: T, seq: 7 },
      },
      {
        name: 'video-lost',
        summary: 'online but its picture lost: not available',
        payload: { state: 'online', video: 'lost', ts: 1767600000000 },
      },
    ],
  },
  heartbeat: {
    title: 'Heartbeat',
    summary: 'A sign of life and nothing else; any message counts as one',
    schema: HeartbeatSchema,
    examples: [{ name: 'heartbeat', summary: 'epoch milliseconds', payload: { ts: 1767600000000, seq: 42 } }],
  },
  pipeTelemetry: {
    title: 'Pipe telemetry',
    summary: "A pipe monitor's reading",
    schema: PipeTelemetrySchema,
    examples: [
      {
        name: 'reading',
        summary: 'pressure, flow, no leak',
        payload: { ts: T, seq: 12, pressureKPa: 412.5, flowLps: 18.2, leak: false },
      },
    ],
  },
  sensorTelemetry: {
    title: 'Sensor telemetry',
    summary: "An environment or energy sensor's readings, by name",
    schema: SensorTelemetrySchema,
    examples: [
      {
        name: 'air',
        summary: 'air quality readings',
        payload: { ts: T, seq: 3, metrics: { pm25: 11.4, no2: 23, temperatureC: 4.5 } },
      },
    ],
  },
  arrival: {
    title: 'Arrival forecast',
    summary: 'When the vehicle a beacon rides will reach a stop of its route',
    schema: ArrivalSchema,
    examples: [
      {
        name: 'forecast',
        summary: 'route 12, due at the stop in four minutes',
        payload: {
          ts: T,
          seq: 88,
          routeId: '12',
          stopId: 'stop-4411',
          vehicleId: 'bus-207',
          predictedArrival: '2026-01-05T08:04:00.000Z',
        },
      },
    ],
  },
} satisfies Record<string, MessageSpec>;

export type MessageId = keyof typeof MESSAGES;

/** The message a kind sends on a channel: mirrors payloads.ts' schemaFor (a test holds them together). */
export function messageIdOf(kind: DeviceKind, channel: Channel): MessageId {
  switch (channel) {
    case 'status':
      return kind === 'cctv' ? 'cameraStatus' : 'status';
    case 'heartbeat':
      return 'heartbeat';
    case 'arrival':
      return 'arrival';
    case 'telemetry':
      return kind === 'sensor' ? 'sensorTelemetry' : 'pipeTelemetry';
  }
}

/** Only status is retained: a new subscriber (the engine after a restart) learns who is online. */
const RETAINED: ReadonlySet<Channel> = new Set(['status']);

export interface BrokerServer {
  /** `host:port` as devices reach it. */
  host: string;
  protocol: 'mqtt' | 'secure-mqtt' | 'ws' | 'wss';
  /** The WebSocket path (`/mqtt`), when there is one. */
  pathname?: string;
}

export interface AsyncApiOptions {
  /** The document's version: citygauge's. */
  version: string;
  /** The broker's listeners as devices reach them, by name; none when this process does not know them. */
  servers?: Record<string, BrokerServer>;
}

type Json = Record<string, unknown>;
const ref = ($ref: string) => ({ $ref });
const MQTT_BINDING = '0.2.0';

/** The JSON Schema of a payload as a device writes it (defaults optional), without the draft's `$schema`. */
export function payloadJsonSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Json;
  return rest;
}

const channelKey = (kind: DeviceKind, channel: Channel) => `${kind}-${channel}`;

export function asyncApiDocument(opts: AsyncApiOptions): Json {
  const deviceId = {
    description: `the device's id as registered (${ID_PATTERN.source}); also its MQTT user name`,
    examples: ['pm-0001'],
  };
  const channels: Json = {};
  const operations: Json = {};
  for (const kind of DEVICE_KINDS) {
    for (const channel of channelsOf(kind)) {
      const key = channelKey(kind, channel);
      const message = messageIdOf(kind, channel);
      channels[key] = {
        address: `city/${kind}/{deviceId}/${channel}`,
        title: `${kind} ${channel}`,
        description: channelDescription(kind, channel),
        parameters: { deviceId },
        messages: { [message]: ref(`#/components/messages/${message}`) },
      };
      const send = {
        action: 'send',
        channel: ref(`#/channels/${key}`),
        messages: [ref(`#/channels/${key}/messages/${message}`)],
        bindings: { mqtt: { qos: 1, retain: RETAINED.has(channel), bindingVersion: MQTT_BINDING } },
      };
      operations[`${key}-send`] = { ...send, summary: `A ${kind} publishes its ${channel}` };
      // A gateway speaks for the cameras whose gateway_id names it.
      if (kind === 'cctv' && channel === 'status')
        operations['cctv-gateway-sends-cctv-status'] = {
          ...send,
          summary:
            "A cctv-gateway publishes the status of each camera whose gateway_id names it, as that camera's",
        };
    }
    const commands = `${kind}-commands`;
    channels[commands] = {
      address: `city/${kind}/{deviceId}/cmd/{command}`,
      title: `${kind} commands`,
      description:
        'The only topics a device may subscribe to (its own, `city/<kind>/<id>/cmd/#`); other filters get SUBACK 0x80. citygauge itself sends no command yet: the topic is reserved for the city (e.g. a new reporting interval).',
      parameters: { deviceId, command: { description: 'what is asked of the device' } },
      messages: { command: ref('#/components/messages/command') },
    };
    operations[`${commands}-receive`] = {
      action: 'receive',
      summary: `A ${kind} listens for commands to it`,
      channel: ref(`#/channels/${commands}`),
      messages: [ref(`#/channels/${commands}/messages/command`)],
    };
  }

  const messages: Json = {
    command: {
      name: 'command',
      title: 'Command',
      summary: "A command to one device: its format is the city's (no command is defined yet)",
      contentType: 'application/json',
    },
  };
  for (const [id, m] of Object.entries(MESSAGES) as [MessageId, MessageSpec][])
    messages[id] = {
      name: id,
      title: m.title,
      summary: m.summary,
      contentType: 'application/json',
      payload: payloadJsonSchema(m.schema),
      examples: m.examples.map((e) => ({ name: e.name, summary: e.summary, payload: e.payload })),
    };

  const servers: Json = {};
  for (const [name, s] of Object.entries(opts.servers ?? {}))
    servers[name] = {
      host: s.host,
      ...(s.pathname ? { pathname: s.pathname } : {}),
      protocol: s.protocol,
      protocolVersion: '3.1.1',
      description: SERVER_DESCRIPTION,
      security: [ref('#/components/securitySchemes/deviceSecret')],
      bindings: {
        mqtt: {
          cleanSession: true,
          keepAlive: KEEP_ALIVE_S,
          lastWill: {
            topic: 'city/<kind>/<deviceId>/status',
            qos: 1,
            message: JSON.stringify(LAST_WILL),
            retain: true,
          },
          bindingVersion: MQTT_BINDING,
        },
      },
    };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'citygauge devices',
      version: opts.version,
      description: INFO_DESCRIPTION,
    },
    defaultContentType: 'application/json',
    ...(Object.keys(servers).length ? { servers } : {}),
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        deviceSecret: {
          type: 'userPassword',
          description:
            'User name: the device id. Password: its secret, shown once by POST /api/devices (201 {"id","secret","connection"}) and renewed by POST /api/devices/{id}/secret. The client id must be the device id, `<id>:<anything>`, or empty.',
        },
      },
    },
  };
}

const INFO_DESCRIPTION = [
  'What a device publishes to the city broker and what it may subscribe to.',
  "Topics are `city/<kind>/<deviceId>/<channel>`; a device publishes only under its own id (a cctv-gateway also under its cameras').",
  `Payloads are UTF-8 JSON objects of at most ${MAX_PAYLOAD_BYTES} bytes; fields beyond the schema are accepted and ignored.`,
  'A refused publish is acknowledged and dropped (MQTT 3.1.1 §3.3.5): the broker counts and logs it.',
  "Operations are the device's: `send` is what it publishes, `receive` what it may subscribe to.",
].join(' ');

const SERVER_DESCRIPTION = `MQTT 3.1.1. Connect with clean session, keep-alive ${KEEP_ALIVE_S} s, and a Last Will of ${JSON.stringify(LAST_WILL)} (QoS 1, retained) on the device's status topic; publish QoS 1.`;

function channelDescription(kind: DeviceKind, channel: Channel): string {
  switch (channel) {
    case 'status':
      return kind === 'cctv'
        ? 'Retained. Sent by the camera, or by its cctv-gateway on its behalf. `video` defaults to "ok" and `shared` to false when left out.'
        : `Retained. "online" on every connect; the Last Will says "offline" when the connection dies.`;
    case 'heartbeat':
      return 'A sign of life when the device has nothing else to say: it is online while its last message is at most 3 × its expected interval old.';
    case 'telemetry':
      return kind === 'sensor'
        ? 'Readings of a sensor watching a site (pollution source or energy user).'
        : 'Readings of a pipe monitor watching a pipe segment.';
    case 'arrival':
      return 'An arrival forecast: the route counts toward L1.2.2 for 300 s after it.';
  }
}
