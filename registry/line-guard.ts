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
    // One push per chunk, lines found with the native indexOf: a million-row import stays fast.
    const out: Buffer[] = [];
    let lineStart = 0;
    let nextLF = chunk.indexOf(LF);
    let nextCR = chunk.indexOf(CR);
    for (;;) {
      const i = nextLF < 0 ? nextCR : nextCR < 0 ? nextLF : Math.min(nextLF, nextCR);
      if (i < 0) break;
      // CRLF is one line end; a lone CR (old Macs) is one too, as csv-parse has it.
      const sameEnd = chunk[i] === LF && this.afterCR && i === lineStart;
      if (this.dropping) out.push(chunk.subarray(i, i + 1));
      else if (this.pendingBytes + (i - lineStart) > this.maxBytes) {
        this.onLongLine(this.line);
        out.push(chunk.subarray(i, i + 1));
      } else out.push(...this.pending, chunk.subarray(lineStart, i + 1));
      this.pending = [];
      this.pendingBytes = 0;
      this.dropping = false;
      if (!sameEnd) this.line++;
      this.afterCR = chunk[i] === CR;
      lineStart = i + 1;
      if (nextLF >= 0 && nextLF < lineStart) nextLF = chunk.indexOf(LF, lineStart);
      if (nextCR >= 0 && nextCR < lineStart) nextCR = chunk.indexOf(CR, lineStart);
    }
    if (lineStart < chunk.length) {
      this.afterCR = false;
      this.keep(chunk.subarray(lineStart));
    }
    if (out.length) this.push(out.length === 1 ? out[0] : Buffer.concat(out));
    done();
  }

  override _flush(done: TransformCallback): void {
    this.endLine();
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

  private endLine(): void {
    if (this.pending.length) this.push(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    this.dropping = false;
  }
}
