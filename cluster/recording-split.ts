// Splitting a recording among partitions, each reading the whole file and keeping its own lines. A line is
// placed in time as one process places it (CONTRACT §5: a line earlier than the one before it is applied at
// the engine's current time), so each partition must know the latest time of every readable line before
// its own, including other partitions' lines. Parsing every line in every partition would cost what the
// split saves; instead a line's time and topic are read from its first bytes (`{"t":"…","topic":"…"`, the
// shape recordings are written in), and a line that only might move the clock is kept aside and parsed
// only if an own line turns out to depend on it. Lines of any other shape are parsed in full.

import type { Inbound } from '../engine/inbound.js';
import type { BadLine } from '../engine/recording.js';
import { decodeLine } from '../engine/recording.js';
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
  private clockText = '';
  /** Other partitions' lines that would move the clock if they are readable, in file order. */
  private pending: { t: string; line: string }[] = [];

  constructor(
    private readonly me: number,
    private readonly partitions: number,
    private readonly partitionOf: ReadonlyMap<string, number>,
  ) {}

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
    const sniffed = sniffLine(text);
    let decoded: Inbound | string | undefined;
    let owner: number;
    if (sniffed !== null) owner = this.ownerOf(sniffed.topic);
    else {
      decoded = decodeLine(text);
      // Unreadable lines are reported once, by partition 0.
      owner = typeof decoded === 'string' ? 0 : this.ownerOf(decoded.topic);
    }
    if (owner !== this.me) {
      if (sniffed !== null) {
        if (sniffed.t > this.clockText) {
          this.pending.push({ t: sniffed.t, line: text });
          if (this.pending.length >= MAX_PENDING) this.settle(Number.NEGATIVE_INFINITY);
        }
      } else if (typeof decoded === 'object') this.advance(decoded.receivedAt);
      return undefined;
    }
    decoded ??= decodeLine(text);
    if (typeof decoded === 'string') return { line: lineNo, reason: decoded };
    this.settle(decoded.receivedAt);
    // The line's own text is the clock's text when it moves the clock: no date formatting per line.
    this.advance(decoded.receivedAt, sniffed?.t);
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
    p.sort((a, b) => (a.t < b.t ? 1 : a.t > b.t ? -1 : 0));
    for (const c of p) {
      const ms = Date.parse(c.t);
      if (!(ms > this.clock && ms > t)) break;
      const decoded = decodeLine(c.line);
      if (typeof decoded === 'object') {
        this.advance(decoded.receivedAt);
        break;
      }
    }
    p.length = 0;
  }

  private advance(t: number, text?: string): void {
    if (t > this.clock) {
      this.clock = t;
      this.clockText = text ?? new Date(t).toISOString();
    }
  }
}
