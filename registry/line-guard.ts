// Bounds what a CSV file can make the importer hold: a physical line longer than `maxBytes` is dropped
// (an empty line takes its place, so every later line keeps its number) and its number reported. Without
// it a 50 MB one-line file is one 50 MB record in memory; csv-parse's own `max_record_size` gives up on
// the rest of the file instead.
import { Transform, type TransformCallback } from 'node:stream';

const LF = 0x0a;
const CR = 0x0d;

export class LineGuard extends Transform {
  /** The current line's bytes not passed on yet: at most `maxBytes`. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The current line is over the limit: drop the rest of it. */
  private dropping = false;
  private line = 1;
  private afterCR = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLongLine: (line: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== LF && b !== CR) continue;
      // CRLF is one line end; a lone CR (old Macs) is one too, as csv-parse has it.
      const sameEnd = b === LF && this.afterCR && i === start;
      this.afterCR = b === CR;
      this.keep(chunk.subarray(start, i));
      this.endLine(sameEnd);
      this.push(chunk.subarray(i, i + 1));
      start = i + 1;
    }
    if (start < chunk.length) {
      this.afterCR = false;
      this.keep(chunk.subarray(start));
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.endLine(false);
    done();
  }

  private keep(part: Buffer): void {
    if (this.dropping || part.length === 0) return;
    if (this.pendingBytes + part.length > this.maxBytes) {
      this.dropping = true;
      this.pending = [];
      this.pendingBytes = 0;
      this.onLongLine(this.line);
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private endLine(sameEnd: boolean): void {
    if (this.pending.length) this.push(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    this.dropping = false;
    if (!sameEnd) this.line++;
  }
}
