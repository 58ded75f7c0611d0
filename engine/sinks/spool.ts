// The on-disk spool (issue 4 §2): line-protocol batches waiting for the database, in order, surviving
// restarts. Segment files `<seq>.<queue>.lp` in `<dataDir>/spool/`, one queue for indicator lines and
// one for raw device states, so that a full spool can drop the oldest device states and never an
// indicator value.
import { EventEmitter } from 'node:events';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isDeviceStateLine } from './line-protocol.js';

export type SpoolQueue = 'indicator' | 'device_state';

export interface SpoolOptions {
  /** Bound on the bytes kept on disk; default 1 GiB (issue 4 §2). */
  maxBytes?: number;
  /** Lines per segment: one segment is sent as one batch, so keep it at the sink's batch size. */
  segmentLines?: number;
}

export interface SpoolBatch {
  seq: number;
  lines: string[];
}

interface Segment {
  seq: number;
  queue: SpoolQueue;
  file: string;
  lines: number;
  bytes: number;
}

const NAME = /^(\d{12})\.(indicator|device_state)\.lp$/;
export const DEFAULT_SPOOL_BYTES = 1024 ** 3;

/**
 * Append-only ordered spool. Emits `full` (true when the bound is first exceeded, false once it has
 * drained below 90 %), for the alert. Each append is fsynced, and the folder when a segment is created:
 * appends happen only while the database is away (a batch a second at most), so durability through a
 * power cut costs nothing in normal running.
 */
export class Spool extends EventEmitter {
  readonly dir: string;
  readonly maxBytes: number;
  private readonly segmentLines: number;
  private readonly segmentBytes: number;
  private readonly segments: Segment[] = [];
  private nextSeq = 1;
  private inFlight = 0;
  private lineCount = 0;
  private byteCount = 0;
  private droppedLines = 0;
  private isFull = false;

  constructor(dataDir: string, options: SpoolOptions = {}) {
    super();
    this.dir = join(dataDir, 'spool');
    this.maxBytes = options.maxBytes ?? DEFAULT_SPOOL_BYTES;
    this.segmentLines = options.segmentLines ?? 5000;
    // Small segments under a small bound, so dropping one does not empty the whole queue.
    this.segmentBytes = Math.max(1024, Math.min(4 * 1024 ** 2, Math.floor(this.maxBytes / 16)));
    mkdirSync(this.dir, { recursive: true });
    this.load();
  }

  /** Lines waiting on disk. */
  get lines(): number {
    return this.lineCount;
  }
  get bytes(): number {
    return this.byteCount;
  }
  /** Raw device-state lines dropped because the spool was full. */
  get dropped(): number {
    return this.droppedLines;
  }
  get full(): boolean {
    return this.isFull;
  }
  get empty(): boolean {
    return this.segments.length === 0;
  }

  /** Appends lines at the end of their queue, then drops the oldest device states while over the bound. */
  append(lines: readonly string[]): void {
    const devices = lines.filter(isDeviceStateLine);
    const indicators = devices.length === 0 ? lines : lines.filter((l) => !isDeviceStateLine(l));
    this.appendTo('indicator', indicators);
    this.appendTo('device_state', devices);
    this.enforceBound();
  }

  /** The oldest batch, which stays in the spool until `ack` (a crash before that sends it again). */
  peek(): SpoolBatch | undefined {
    const head = this.segments[0];
    if (head === undefined) return undefined;
    this.inFlight = head.seq;
    const text = readFileSync(head.file, 'utf8');
    return { seq: head.seq, lines: text.split('\n').filter((l) => l.length > 0) };
  }

  /** Removes a batch that the database has taken. */
  ack(seq: number): void {
    if (this.inFlight === seq) this.inFlight = 0;
    const i = this.segments.findIndex((s) => s.seq === seq);
    if (i >= 0) this.remove(i);
    if (this.isFull && this.byteCount < this.maxBytes * 0.9) this.setFull(false);
  }

  private appendTo(queue: SpoolQueue, lines: readonly string[]): void {
    let start = 0;
    while (start < lines.length) {
      let tail = this.tailOf(queue);
      if (tail === undefined || tail.lines >= this.segmentLines || tail.bytes >= this.segmentBytes) {
        tail = this.newSegment(queue);
      }
      const n = Math.min(lines.length - start, this.segmentLines - tail.lines);
      const text = lines.slice(start, start + n).join('\n') + '\n';
      const bytes = Buffer.byteLength(text);
      appendDurably(tail.file, text, tail.lines === 0 ? this.dir : undefined);
      tail.lines += n;
      tail.bytes += bytes;
      this.lineCount += n;
      this.byteCount += bytes;
      start += n;
    }
  }

  /** The newest segment of a queue, unless it is being sent (appending to it would lose the new lines on ack). */
  private tailOf(queue: SpoolQueue): Segment | undefined {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i];
      if (s.queue === queue) return s.seq === this.inFlight ? undefined : s;
    }
    return undefined;
  }

  private newSegment(queue: SpoolQueue): Segment {
    const seq = this.nextSeq++;
    const file = join(this.dir, `${String(seq).padStart(12, '0')}.${queue}.lp`);
    const segment = { seq, queue, file, lines: 0, bytes: 0 };
    this.segments.push(segment);
    return segment;
  }

  private enforceBound(): void {
    if (this.byteCount <= this.maxBytes) return;
    this.setFull(true);
    // Issue 4 §2: the oldest raw device states go first, never indicator values. If only indicator
    // lines are left the spool grows past its bound rather than lose them; `full` stays raised.
    for (let i = 0; i < this.segments.length && this.byteCount > this.maxBytes; ) {
      const s = this.segments[i];
      if (s.queue === 'device_state' && s.seq !== this.inFlight) {
        this.droppedLines += s.lines;
        this.remove(i);
      } else i++;
    }
  }

  private setFull(full: boolean): void {
    if (this.isFull === full) return;
    this.isFull = full;
    this.emit('full', full);
  }

  private remove(i: number): void {
    const [s] = this.segments.splice(i, 1);
    rmSync(s.file, { force: true });
    this.lineCount -= s.lines;
    this.byteCount -= s.bytes;
  }

  /** Reads back what a previous process left, oldest first; a torn last line (crash mid-append) is cut. */
  private load(): void {
    const found: Segment[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = NAME.exec(name);
      if (m === null) continue;
      const file = join(this.dir, name);
      const buf = readFileSync(file);
      const end = buf.lastIndexOf(10) + 1;
      if (end < buf.length) truncateSync(file, end);
      let lines = 0;
      for (let i = 0; i < end; i++) if (buf[i] === 10) lines++;
      if (lines === 0) {
        rmSync(file, { force: true });
        continue;
      }
      found.push({ seq: Number(m[1]), queue: m[2] as SpoolQueue, file, lines, bytes: end });
    }
    found.sort((a, b) => a.seq - b.seq);
    for (const s of found) {
      this.segments.push(s);
      this.lineCount += s.lines;
      this.byteCount += s.bytes;
      this.nextSeq = s.seq + 1;
    }
  }
}

/** Appends and fsyncs; a new file's directory entry is fsynced too, or the file may vanish in a power cut. */
function appendDurably(file: string, text: string, newIn?: string): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (newIn) {
    const dir = openSync(newIn, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}
