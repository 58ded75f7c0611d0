// A device's outbox: every QoS 1 message is written here before it is sent and removed when the broker
// acknowledges it (PUBACK), so readings taken while the broker is unreachable, or before a restart, are
// still delivered, in order. The per-device `seq` (docs/contract.md §2) comes from here and continues across restarts.
//
// On disk: a directory of append-only segment files named by the first seq they may hold
// (`0000000000000042.seg`), one JSON record a line — `{"seq","topic","retain","payload"}` for a message,
// `{"ack":seq}` for its removal. Only the newest segment (the head) is written to. Segments are deleted
// oldest first, once all their messages are acknowledged (an ack record may sit in a newer segment than its
// message, never in an older one, so oldest-first deletion never forgets an ack). The head is never
// deleted: its name keeps `seq` going even when nothing is pending.
//
// Fsync policy (`fsync`), for message records:
//  - 'always': fsync before the message is sent — nothing the broker may have seen is lost even on power
//    loss, at the cost of one disk flush per message.
//  - 'interval' (default, every `fsyncIntervalMs` = 1 s): the record is in the OS page cache before the
//    message is sent, so a process crash loses nothing; a power cut loses at most the last interval.
//  - 'never': leave flushing to the OS; for simulators running thousands of outboxes on one machine.
// Ack records are never fsynced: losing one only causes a redelivery with the same seq, which the engine
// drops as a duplicate (docs/contract.md §3).
//
// Bounded: when the segment files would grow past `maxBytes`, the oldest segment is dropped whole and its
// pending messages are counted in `dropped` — on a long outage the newest readings are worth the most.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lockOutbox, unlockOutbox } from './outbox-lock.js';
import {
  appendLine,
  fsyncDir,
  fsyncPath,
  type MessageRecord,
  OutboxWriteError,
  parseRecord,
  SEGMENT_NAME,
  segmentName,
} from './segment-file.js';

export { OutboxLockedError } from './outbox-lock.js';
export { OutboxWriteError };

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface OutboxOptions {
  /** Upper bound of the segment files together; default 8 MiB. */
  maxBytes?: number;
  /** A segment is closed and a new head started past this size; default min(1 MiB, maxBytes / 8). */
  segmentBytes?: number;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
}

/** A pending message, exactly as it will be published. */
export type OutboxEntry = MessageRecord;

export class OutboxConfigError extends Error {
  readonly code = 'ERR_OUTBOX_CONFIG';
}

interface Segment {
  base: number;
  path: string;
  bytes: number;
  /** Messages in this segment not yet acknowledged (nor dropped). */
  unresolved: number;
}

interface Pending {
  entry: OutboxEntry;
  segment: Segment;
}

export class Outbox {
  private readonly segments: Segment[] = [];
  /** By seq; Map keeps insertion order, which is seq order because messages are appended in seq order. */
  private readonly pendingBySeq = new Map<number, Pending>();
  private next = 1;
  private droppedCount = 0;
  private unreadable = 0;
  private dirty = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly policy: FsyncPolicy;

  private constructor(
    readonly dir: string,
    options: OutboxOptions,
  ) {
    this.maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.segmentBytes = options.segmentBytes ?? Math.min(1024 * 1024, Math.floor(this.maxBytes / 8));
    this.policy = options.fsync ?? 'interval';
    if (
      !(this.maxBytes >= 64 * 1024) ||
      !(this.segmentBytes >= 4096) ||
      this.segmentBytes * 2 > this.maxBytes
    ) {
      throw new OutboxConfigError(
        `outbox ${dir}: maxBytes must be at least 64 KiB and segmentBytes between 4 KiB and maxBytes / 2`,
      );
    }
    if (this.policy === 'interval') {
      this.timer = setInterval(() => this.sync(), options.fsyncIntervalMs ?? 1000);
      this.timer.unref(); // a device's flush timer must not keep its process alive
    }
  }

  /** Open (creating when needed) the outbox in `dir` and read back what is pending. */
  static open(directory: string, options: OutboxOptions = {}): Outbox {
    const dir = resolve(directory);
    mkdirSync(dir, { recursive: true });
    lockOutbox(dir);
    try {
      const box = new Outbox(dir, options);
      box.load();
      return box;
    } catch (err) {
      unlockOutbox(dir);
      throw err;
    }
  }

  /** The seq the next message gets. */
  get nextSeq(): number {
    return this.next;
  }

  /** Messages waiting for the broker's acknowledgement. */
  get size(): number {
    return this.pendingBySeq.size;
  }

  /** Messages thrown away unsent because the outbox was full, since it was opened. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Lines that could not be read back (a write torn by a crash); their messages are lost. */
  get unreadableLines(): number {
    return this.unreadable;
  }

  get diskBytes(): number {
    return this.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** Pending messages, oldest first. */
  *pending(): IterableIterator<OutboxEntry> {
    for (const p of this.pendingBySeq.values()) yield p.entry;
  }

  has(seq: number): boolean {
    return this.pendingBySeq.has(seq);
  }

  /** Store a message under the next seq; `payloadFor` builds the payload, which carries that seq. */
  append(topic: string, payloadFor: (seq: number) => string, retain = false): OutboxEntry {
    // Closed means unlocked: another writer may own the directory now.
    if (this.closed) throw new OutboxWriteError(`outbox ${this.dir} is closed: the message was not stored`);
    const seq = this.next;
    const entry: OutboxEntry = { seq, topic, payload: payloadFor(seq), retain };
    const line = `${JSON.stringify({ seq, topic, retain, payload: entry.payload })}\n`;
    const bytes = Buffer.byteLength(line);
    const head = this.head();
    if (head.bytes > 0 && head.bytes + bytes > this.segmentBytes) this.roll();
    while (this.diskBytes + bytes > this.maxBytes && this.segments.length > 1) this.dropOldest();
    this.write(this.head(), line, bytes, 'message');
    this.head().unresolved++;
    this.pendingBySeq.set(seq, { entry, segment: this.head() });
    this.next = seq + 1;
    return entry;
  }

  /** The broker has the message: forget it. False when it was not pending (already acked, or dropped). */
  ack(seq: number): boolean {
    const p = this.pendingBySeq.get(seq);
    if (!p || this.closed) return false;
    this.pendingBySeq.delete(seq);
    p.segment.unresolved--;
    const line = `{"ack":${seq}}\n`;
    this.write(this.head(), line, Buffer.byteLength(line), 'ack');
    this.deleteResolved();
    return true;
  }

  /** Flush message records to disk now (the 'interval' policy calls this on its timer). */
  sync(): void {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    fsyncPath(this.head().path);
  }

  close(): void {
    if (this.closed) return;
    if (this.policy !== 'never') this.sync();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    unlockOutbox(this.dir);
  }

  private head(): Segment {
    return this.segments[this.segments.length - 1];
  }

  private load(): void {
    const names = readdirSync(this.dir)
      .filter((n) => SEGMENT_NAME.test(n))
      .sort();
    let maxSeq = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      const segment: Segment = {
        base: Number(name.slice(0, 16)),
        path,
        bytes: statSync(path).size,
        unresolved: 0,
      };
      this.segments.push(segment);
      const text = readFileSync(path, 'utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        const record = parseRecord(line);
        if (!record) {
          this.unreadable++;
        } else if ('ack' in record) {
          const p = this.pendingBySeq.get(record.ack);
          if (p) {
            this.pendingBySeq.delete(record.ack);
            p.segment.unresolved--;
          }
        } else {
          this.pendingBySeq.set(record.seq, { entry: record, segment });
          segment.unresolved++;
          maxSeq = Math.max(maxSeq, record.seq);
        }
      }
      // A crash mid-write leaves a torn last line: start the next record on a line of its own.
      if (text.length > 0 && !text.endsWith('\n')) this.write(segment, '\n', 1, 'ack');
    }
    if (this.segments.length === 0) this.createSegment(1);
    this.next = Math.max(this.head().base, maxSeq + 1);
    this.deleteResolved();
  }

  private roll(): void {
    if (this.policy !== 'never') this.sync();
    this.createSegment(this.next);
  }

  private createSegment(base: number): void {
    const path = join(this.dir, segmentName(base));
    writeFileSync(path, '', { flag: 'a' });
    // The new head's name carries seq across restarts: make the directory entry itself durable.
    if (this.policy !== 'never') fsyncDir(this.dir);
    this.segments.push({ base, path, bytes: statSync(path).size, unresolved: 0 });
  }

  private dropOldest(): void {
    const oldest = this.segments.shift()!;
    for (const [seq, p] of this.pendingBySeq) {
      if (p.segment !== oldest) break; // the oldest segment's messages come first
      this.pendingBySeq.delete(seq);
      this.droppedCount++;
    }
    rmSync(oldest.path, { force: true });
  }

  private deleteResolved(): void {
    while (this.segments.length > 1 && this.segments[0].unresolved === 0) {
      rmSync(this.segments.shift()!.path, { force: true });
    }
  }

  /** Message records follow the fsync policy; ack records never wait for the disk (see the top). */
  private write(segment: Segment, line: string, bytes: number, record: 'message' | 'ack'): void {
    const durable = record === 'message' && this.policy === 'always';
    appendLine(segment.path, line, durable);
    segment.bytes += bytes;
    if (record === 'message' && !durable) this.dirty = true;
  }
}
