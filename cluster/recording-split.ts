// Splitting a recording among partitions, each reading the whole file and keeping its own lines. A line is
// placed in time as one process places it (docs/contract.md §5: a line earlier than the one before it is applied at
// the engine's current time), so each partition must know the latest time of every readable line before
// its own, including other partitions' lines. Parsing every line in every partition would cost what the
// split saves; instead a line's time and topic are read from its first bytes (`{"t":"…","topic":"…"`, the
// shape recordings are written in), and a line that only might move the clock is kept aside and parsed
// only if an own line turns out to depend on it. Lines of any other shape are parsed in full.

import type { Inbound } from '../engine/inbound.js';
import type { BadLine } from '../engine/recording.js';
import { decodeLine } from '../engine/recording.js';
import { DeviceTable } from './device-table.js';
import { partitionOfDevice } from './partition.js';

const HEAD = '{"t":"';
const TOPIC = '","topic":"';
/** `2026-01-05T06:00:00.000Z`: in this shape, and only in it, text order is time order. */
const ISO_LENGTH = 24;

/** A line's time (canonical RFC 3339 text) and topic, read from its first bytes; null if not in that shape. */
export function sniffLine(line: string): { t: string; topic: string } | null {
  if (!line.startsWith(HEAD)) return null;
  const tEnd = HEAD.length + ISO_LENGTH;
  if (line.charCodeAt(tEnd - 1) !== 90 /* Z */ || !line.startsWith(TOPIC, tEnd)) return null;
  const t = line.slice(HEAD.length, tEnd);
  if (t.charCodeAt(10) !== 84 /* T */ || t.charCodeAt(19) !== 46 /* . */) return null;
  const from = tEnd + TOPIC.length;
  const to = line.indexOf('"', from);
  if (to < 0) return null;
  const topic = line.slice(from, to);
  // An escape would make the text differ from the topic; let the JSON parser read such a line.
  if (topic.includes('\\')) return null;
  return { t, topic };
}

/** The device a topic names (`city/<kind>/<device>/<channel>`), or the whole topic when it names none. */
export function deviceOfTopic(topic: string): string {
  const k = topic.indexOf('/', 5);
  if (!topic.startsWith('city/') || k < 0) return topic;
  const i = topic.indexOf('/', k + 1);
  return i < 0 ? topic : topic.slice(k + 1, i);
}

const HEAD_BYTES = Buffer.from(HEAD);
const TOPIC_BYTES = Buffer.from(TOPIC);
const CITY_BYTES = Buffer.from('city/');
const SLASH = 47;

/** What sniffBytes read: the line's time (ms) and where its topic's device id lies. */
export interface SniffedBytes {
  ms: number;
  deviceStart: number;
  deviceEnd: number;
}

const same = (buf: Uint8Array, at: number, what: Uint8Array) => {
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
};

/** Two ASCII digits at `at`, or NaN. */
const digits = (buf: Uint8Array, at: number, n: number) => {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = buf[at + i] - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
};

/**
 * sniffLine on bytes, making no string: the line's time and where the device its topic names lies (as
 * deviceOfTopic reads it); false if the line is not in the recorder's shape. Fills `out`.
 */
export function sniffBytes(buf: Buffer, start: number, end: number, out: SniffedBytes): boolean {
  const t = start + HEAD.length;
  const tEnd = t + ISO_LENGTH;
  const from = tEnd + TOPIC.length;
  if (from >= end || !same(buf, start, HEAD_BYTES) || !same(buf, tEnd, TOPIC_BYTES)) return false;
  // YYYY-MM-DDTHH:MM:SS.sssZ
  if (
    buf[t + 4] !== 45 ||
    buf[t + 7] !== 45 ||
    buf[t + 10] !== 84 ||
    buf[t + 13] !== 58 ||
    buf[t + 16] !== 58
  )
    return false;
  if (buf[t + 19] !== 46 || buf[tEnd - 1] !== 90) return false;
  const month = digits(buf, t + 5, 2);
  const day = digits(buf, t + 8, 2);
  const hour = digits(buf, t + 11, 2);
  const minute = digits(buf, t + 14, 2);
  const second = digits(buf, t + 17, 2);
  // Days past 28 and leap seconds are left to Date.parse, which knows each month's length.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59))
    return false;
  out.ms = Date.UTC(digits(buf, t, 4), month - 1, day, hour, minute, second, digits(buf, t + 20, 3));
  if (Number.isNaN(out.ms)) return false;
  const to = buf.indexOf(34 /* " */, from);
  if (to < 0 || to >= end) return false;
  for (let i = from; i < to; i++) if (buf[i] === 92 /* \ */) return false;
  // As deviceOfTopic: city/<kind>/<device>/…, else the whole topic.
  const k = to - from > 5 && same(buf, from, CITY_BYTES) ? buf.indexOf(SLASH, from + 5) : -1;
  const i = k >= 0 && k < to ? buf.indexOf(SLASH, k + 1) : -1;
  if (k < 0 || k >= to || i < 0 || i >= to) {
    out.deviceStart = from;
    out.deviceEnd = to;
  } else {
    out.deviceStart = k + 1;
    out.deviceEnd = i;
  }
  return true;
}

/** Parse candidates at the latest when this many are waiting: memory stays bounded for a small partition. */
const MAX_PENDING = 1024;

/**
 * One partition's view of a recording, line by line. `line()` answers the partition's own messages (apply
 * each at `now`), and the unreadable lines it is to report (those whose topic, or lack of one, falls to it).
 */
export class RecordingSplit {
  private lineNo = 0;
  /** The latest time of a readable line seen so far, as far as it is known for sure. */
  private clock = Number.NEGATIVE_INFINITY;
  /** Other partitions' lines that would move the clock if they are readable, in file order. */
  private pending: { ms: number; line: string | Buffer }[] = [];
  private readonly table: DeviceTable;
  private readonly scratch: SniffedBytes = { ms: 0, deviceStart: 0, deviceEnd: 0 };

  constructor(
    private readonly me: number,
    private readonly partitions: number,
    private readonly partitionOf: ReadonlyMap<string, number>,
  ) {
    this.table = new DeviceTable(partitionOf, partitions);
  }

  /**
   * The time one process applies the last own line at: its receive time, or the latest before it when it
   * is out of order (the line itself keeps its own time, which the duplicate rule reads).
   */
  get now(): number {
    return this.clock;
  }

  line(text: string): Inbound | BadLine | undefined {
    const lineNo = ++this.lineNo;
    if (text.length === 0 || (text.length === 1 && text === '\r')) return undefined;
    const s = sniffLine(text);
    const ms = s === null ? Number.NaN : Date.parse(s.t);
    const owner = s === null || Number.isNaN(ms) ? -1 : this.ownerOf(s.topic);
    return this.route(lineNo, owner, ms, () => text, text);
  }

  /**
   * The same for a line as bytes (`buf[start, end)`, without its newline): another partition's line is
   * never decoded, only its first bytes read.
   */
  lineBytes(buf: Buffer, start: number, end: number): Inbound | BadLine | undefined {
    const lineNo = ++this.lineNo;
    if (end === start || (end === start + 1 && buf[start] === 13)) return undefined;
    const s = this.scratch;
    const owner = sniffBytes(buf, start, end, s) ? this.table.lookup(buf, s.deviceStart, s.deviceEnd) : -1;
    return this.route(lineNo, owner, s.ms, () => buf.toString('utf8', start, end), buf, start, end);
  }

  /** `owner` −1: not in the recorder's shape, parse it; else the line's partition and time `ms`. */
  private route(
    lineNo: number,
    sniffedOwner: number,
    ms: number,
    text: () => string,
    raw: string | Buffer,
    start = 0,
    end = 0,
  ): Inbound | BadLine | undefined {
    let decoded: Inbound | string | undefined;
    let owner = sniffedOwner;
    if (owner < 0) {
      decoded = decodeLine(text());
      // Unreadable lines are reported once, by partition 0.
      owner = typeof decoded === 'string' ? 0 : this.ownerOf(decoded.topic);
    }
    if (owner !== this.me) {
      if (sniffedOwner >= 0) {
        if (ms > this.clock) {
          const line = typeof raw === 'string' ? raw : raw.subarray(start, end);
          this.pending.push({ ms, line });
          if (this.pending.length >= MAX_PENDING) this.settle(Number.NEGATIVE_INFINITY);
        }
      } else if (typeof decoded === 'object') this.advance(decoded.receivedAt);
      return undefined;
    }
    decoded ??= decodeLine(text());
    if (typeof decoded === 'string') return { line: lineNo, reason: decoded };
    this.settle(decoded.receivedAt);
    this.advance(decoded.receivedAt);
    return decoded;
  }

  private ownerOf(topic: string): number {
    return partitionOfDevice(deviceOfTopic(topic), this.partitionOf, this.partitions);
  }

  /**
   * Bring the clock up to the latest readable line set aside, as far as it matters for a line at `t`: only
   * lines later than both `t` and the clock can move it, and of those only the latest readable one does.
   */
  private settle(t: number): void {
    const p = this.pending;
    if (p.length === 0) return;
    // Latest first: the first readable one that is later than both is where the clock goes.
    p.sort((a, b) => b.ms - a.ms);
    for (const c of p) {
      if (!(c.ms > this.clock && c.ms > t)) break;
      const decoded = decodeLine(typeof c.line === 'string' ? c.line : c.line.toString('utf8'));
      if (typeof decoded === 'object') {
        this.advance(decoded.receivedAt);
        break;
      }
    }
    p.length = 0;
  }

  private advance(t: number): void {
    if (t > this.clock) this.clock = t;
  }
}
