// The last few messages of each device with what the engine made of them, for a field engineer asking
// "what did cam-17 send, and why was it refused?". Bounded twice — messages per device and devices in all,
// the least recently heard forgotten first — so a city of a million devices cannot grow it without limit.
import { payloadProblem } from './admission.js';
import type { RawMessage } from './pipeline.js';
import type { RejectionReason } from './rejections.js';

export interface RecentMessage {
  receivedAt: string;
  topic: string;
  /** As received (UTF-8), cut to `maxPayloadBytes` with a marker saying how long it was. */
  payload: string;
  outcome: 'accepted' | RejectionReason;
  /** For `bad-payload`: the failing fields and their rules, e.g. `pressureKPa: expected a number`. */
  detail?: string;
}

export interface RecentMessagesOptions {
  /** Messages kept per device, newest replacing oldest. */
  perDevice?: number;
  /** Devices remembered at once; beyond that the least recently heard is forgotten. */
  maxDevices?: number;
  maxPayloadBytes?: number;
}

interface Entry {
  receivedAt: number;
  topic: string;
  payload: string;
  outcome: 'accepted' | RejectionReason;
  detail?: string;
}

/** docs/contract.md §1: ids are at most 64 characters; a longer "id" is no device's and not worth a slot. */
const MAX_ID_LENGTH = 64;
/** Device topics are about 100 characters; a refused one may be anything up to MQTT's 64 KiB. */
const MAX_TOPIC_LENGTH = 256;

/**
 * The id a topic names, `city/<kind>/<id>[/...]`, read the way the engine does but without requiring a
 * known kind or channel: messages refused as bad-topic or unknown-device are the ones worth finding.
 */
export function topicDeviceId(topic: string): string | undefined {
  if (!topic.startsWith('city/')) return undefined;
  const k = topic.indexOf('/', 5);
  if (k < 0) return undefined;
  const end = topic.indexOf('/', k + 1);
  const id = end < 0 ? topic.slice(k + 1) : topic.slice(k + 1, end);
  return id.length > 0 && id.length <= MAX_ID_LENGTH ? id : undefined;
}

export class RecentMessages {
  /** Map order is recency: a device heard again is deleted and set, so the first key is the stalest. */
  private readonly byDevice = new Map<string, Entry[]>();
  private readonly perDevice: number;
  private readonly maxDevices: number;
  private readonly maxPayloadBytes: number;

  constructor(opts: RecentMessagesOptions = {}) {
    this.perDevice = opts.perDevice ?? 10;
    this.maxDevices = opts.maxDevices ?? 20_000;
    this.maxPayloadBytes = opts.maxPayloadBytes ?? 2048;
  }

  /** Devices remembered now. */
  get size(): number {
    return this.byDevice.size;
  }

  /** The live path's onIngested hook: remember one message under the id its topic names. */
  record(msg: RawMessage, receivedAt: number, outcome: RejectionReason | undefined): void {
    const id = topicDeviceId(msg.topic);
    if (id === undefined) return;
    let entries = this.byDevice.get(id);
    if (entries === undefined) {
      entries = [];
      if (this.byDevice.size >= this.maxDevices) this.byDevice.delete(this.byDevice.keys().next().value!);
    } else {
      this.byDevice.delete(id);
    }
    this.byDevice.set(id, entries);
    if (entries.length >= this.perDevice) entries.shift();
    const entry: Entry = {
      receivedAt,
      topic: msg.topic.length > MAX_TOPIC_LENGTH ? `${msg.topic.slice(0, MAX_TOPIC_LENGTH)}…` : msg.topic,
      payload: this.text(msg.payload),
      outcome: outcome ?? 'accepted',
    };
    // Worked out here, once per refusal, from the whole payload (the kept text may be cut); an accepted
    // message pays one comparison.
    if (outcome === 'bad-payload') entry.detail = payloadProblem(msg.topic, msg.payload);
    entries.push(entry);
  }

  /** The device's last messages, newest first; empty when none is remembered. */
  of(id: string): RecentMessage[] {
    const entries = this.byDevice.get(id);
    if (entries === undefined) return [];
    const out: RecentMessage[] = [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      out.push({ ...e, receivedAt: new Date(e.receivedAt).toISOString() });
    }
    return out;
  }

  has(id: string): boolean {
    return this.byDevice.has(id);
  }

  /** Decoded once, on arrival: keeping the broker's Buffer would hold up to 16 KiB per message. */
  private text(payload: Buffer | string): string {
    const max = this.maxPayloadBytes;
    if (typeof payload === 'string') {
      // A UTF-8 character is at most 3 bytes per UTF-16 unit: short strings need no byte count.
      if (payload.length * 3 <= max || Buffer.byteLength(payload) <= max) return payload;
      payload = Buffer.from(payload);
    }
    if (payload.length <= max) return payload.toString('utf8');
    let end = max;
    // Cut on a character boundary: step back over UTF-8 continuation bytes (10xxxxxx).
    while (end > 0 && (payload[end] & 0xc0) === 0x80) end--;
    return `${payload.toString('utf8', 0, end)}…[truncated: ${payload.length} bytes]`;
  }
}
