// The gate of docs/contract.md §3, in order: topic → device → kind → size → JSON → schema → route → duplicate.
// A rejection is a value (its reason), never an exception; an admitted message is decoded and typed.
import type { z } from 'zod';
import type { DeviceKind } from '../registry/inventory.js';
import { type CityModel, KIND_CODE } from './city-model.js';
import { DuplicateFilter, type DuplicateState, renumberDuplicates } from './duplicates.js';
import { Decoded, type Inbound, MAX_PAYLOAD_BYTES } from './inbound.js';
import { describeIssues, type FastPath, fastPathFor, type Payload, schemaFor } from './payloads.js';
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

const N_CHANNELS = CHANNELS.length;
/** Topic refusals, cached as -1 - their index here. */
const TOPIC_REJECTIONS = [
  'bad-topic',
  'unknown-device',
  'kind-mismatch',
] as const satisfies RejectionReason[];

/**
 * Topics repeat (a device publishes on the same few): remember how each resolved, up to this many. A large
 * city's cache outgrows the processor's caches, so each entry is one small integer held in the map itself
 * (the stream `device × channels + channel`, or a refusal below zero), not an object a pointer away.
 */
const TOPIC_CACHE_SIZE = 1 << 16;

export class Admission {
  /** QoS 1 redeliveries seen: a cluster shard's checkpoint saves and restores it. */
  readonly duplicates: DuplicateFilter;
  private readonly topics = new Map<string, number>();
  /** The schema and fast path of each (device kind, channel), by `kind × channels + channel`. */
  private readonly schemas: (z.ZodType<Payload> | undefined)[] = [];
  private readonly fastPaths: (FastPath | undefined)[] = [];

  /**
   * The redelivery memory of another registry's engine (a rebuild, a checkpoint), its streams renumbered by
   * device id: a QoS 1 redelivery just after a registry change is still known for one.
   */
  restoreDuplicates(state: DuplicateState, deviceIds: readonly string[]): void {
    const toNew = Int32Array.from(deviceIds, (id) => this.model.deviceIndex.get(id) ?? -1);
    this.duplicates.restore(renumberDuplicates(state, toNew, this.model.deviceIds.length, N_CHANNELS));
  }

  constructor(private readonly model: CityModel) {
    this.duplicates = new DuplicateFilter(model.deviceIds.length * N_CHANNELS);
    for (const [kind, code] of Object.entries(KIND_CODE) as [DeviceKind, number][]) {
      for (const channel of CHANNELS) {
        this.schemas[code * N_CHANNELS + CHANNEL_CODE[channel]] = schemaFor(kind, channel);
        this.fastPaths[code * N_CHANNELS + CHANNEL_CODE[channel]] = fastPathFor(kind, channel);
      }
    }
  }

  admit(msg: Inbound): Admitted | RejectionReason {
    let stream = this.topics.get(msg.topic);
    if (stream === undefined) {
      stream = this.resolve(msg.topic);
      // Cleared when full rather than evicted one by one: simple, and a city's topics refill it at once.
      if (this.topics.size >= TOPIC_CACHE_SIZE) this.topics.clear();
      this.topics.set(msg.topic, stream);
    }
    if (stream < 0) return TOPIC_REJECTIONS[-1 - stream];
    const device = (stream / N_CHANNELS) | 0;
    const channelCode = stream - device * N_CHANNELS;
    const channel = CHANNELS[channelCode];

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
    const shape = this.model.kind[device] * N_CHANNELS + channelCode;
    let payload = this.fastPaths[shape]!(json);
    if (payload === undefined) {
      const parsed = this.schemas[shape]!.safeParse(json);
      if (!parsed.success) return 'bad-payload';
      payload = parsed.data;
    }

    let route = -1;
    if (channel === 'arrival') {
      route = this.model.assets.route.index.get(payload.routeId as string) ?? -1;
      if (route < 0) return 'unknown-route';
    }
    if (payload.seq !== undefined && this.duplicates.isRepeat(stream, payload.seq, msg.receivedAt)) {
      return 'duplicate';
    }
    return { device, channel, payload, route };
  }

  /** The topic's stream, or -1 - the index of its refusal in TOPIC_REJECTIONS. */
  private resolve(name: string): number {
    const topic = parseTopic(name);
    if (topic === null) return -1;
    const device = this.model.deviceIndex.get(topic.deviceId);
    if (device === undefined) return -2;
    if (this.model.kind[device] !== KIND_CODE[topic.kind]) return -3;
    return device * N_CHANNELS + CHANNEL_CODE[topic.channel];
  }
}
