// The gate of CONTRACT §3, in order: topic → device → kind → size → JSON → schema → route → duplicate.
// A rejection is a value (its reason), never an exception; an admitted message is decoded and typed.
import type { z } from 'zod';
import { type CityModel, KIND_CODE } from './city-model.js';
import { DuplicateFilter } from './duplicates.js';
import { Decoded, type Inbound, MAX_PAYLOAD_BYTES } from './inbound.js';
import { describeIssues, type Payload, schemaFor } from './payloads.js';
import type { RejectionReason } from './rejections.js';
import { CHANNELS, type Channel, parseTopic } from './topic.js';

export interface Admitted {
  device: number;
  channel: Channel;
  payload: Payload;
  /** Route index for an arrival, else -1. */
  route: number;
}

const CHANNEL_CODE = Object.fromEntries(CHANNELS.map((c, i) => [c, i])) as Record<Channel, number>;

/**
 * Which fields of a payload refused as `bad-payload` fail and why (`pressureKPa: expected a number`), or
 * undefined when the message does not fail its schema. The gate returns only the reason, so that an
 * accepted message allocates nothing for explanations; whoever shows a refusal to a person asks here,
 * re-validating the one message.
 */
export function payloadProblem(topic: string, payload: Buffer | string | Decoded): string | undefined {
  const parsed = parseTopic(topic);
  if (parsed === null) return undefined;
  let json: unknown;
  if (payload instanceof Decoded) json = payload.value;
  else {
    try {
      json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  const result = schemaFor(parsed.kind, parsed.channel).safeParse(json);
  return result.success ? undefined : describeIssues(result.error.issues);
}

/** What a topic resolves to: its device, channel and schema, or why it is refused. */
interface TopicRoute {
  device: number;
  channel: Channel;
  stream: number;
  schema: z.ZodType<Payload>;
}

/** Topics repeat (a device publishes on the same few): remember how each resolved, up to this many. */
const TOPIC_CACHE_SIZE = 1 << 16;

export class Admission {
  /** QoS 1 redeliveries seen: a cluster shard's checkpoint saves and restores it. */
  readonly duplicates: DuplicateFilter;
  private readonly topics = new Map<string, TopicRoute | RejectionReason>();

  constructor(private readonly model: CityModel) {
    this.duplicates = new DuplicateFilter(model.deviceIds.length * CHANNELS.length);
  }

  admit(msg: Inbound): Admitted | RejectionReason {
    let topic = this.topics.get(msg.topic);
    if (topic === undefined) {
      topic = this.resolve(msg.topic);
      // Cleared when full rather than evicted one by one: simple, and a city's topics refill it at once.
      if (this.topics.size >= TOPIC_CACHE_SIZE) this.topics.clear();
      this.topics.set(msg.topic, topic);
    }
    if (typeof topic === 'string') return topic;
    const device = topic.device;

    let json: unknown;
    const p = msg.payload;
    if (p instanceof Decoded) {
      if (p.bytes > MAX_PAYLOAD_BYTES) return 'too-large';
      json = p.value;
    } else {
      const bytes = typeof p === 'string' ? Buffer.byteLength(p) : p.length;
      if (bytes > MAX_PAYLOAD_BYTES) return 'too-large';
      try {
        json = JSON.parse(typeof p === 'string' ? p : p.toString('utf8'));
      } catch {
        return 'bad-json';
      }
    }
    const parsed = topic.schema.safeParse(json);
    if (!parsed.success) return 'bad-payload';
    const payload = parsed.data;

    let route = -1;
    if (topic.channel === 'arrival') {
      route = this.model.assets.route.index.get(payload.routeId as string) ?? -1;
      if (route < 0) return 'unknown-route';
    }
    if (payload.seq !== undefined && this.duplicates.isRepeat(topic.stream, payload.seq, msg.receivedAt)) {
      return 'duplicate';
    }
    return { device, channel: topic.channel, payload, route };
  }

  private resolve(name: string): TopicRoute | RejectionReason {
    const topic = parseTopic(name);
    if (topic === null) return 'bad-topic';
    const device = this.model.deviceIndex.get(topic.deviceId);
    if (device === undefined) return 'unknown-device';
    if (this.model.kind[device] !== KIND_CODE[topic.kind]) return 'kind-mismatch';
    return {
      device,
      channel: topic.channel,
      stream: device * CHANNELS.length + CHANNEL_CODE[topic.channel],
      schema: schemaFor(topic.kind, topic.channel),
    };
  }
}
