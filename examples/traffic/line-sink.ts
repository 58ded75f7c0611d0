// Where recording lines go: joined into ~1 MiB chunks and written with backpressure, so a recording of
// any length streams to disk in constant memory.
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

const CHUNK_CHARS = 1 << 20;

export class LineSink {
  lines = 0;
  bytes = 0;
  private parts: string[] = [];
  private chars = 0;

  private constructor(private readonly stream: WriteStream) {}

  /** Opens (and creates the folder of) `path`; rejects when the file cannot be written. */
  static async open(path: string): Promise<LineSink> {
    mkdirSync(dirname(path), { recursive: true });
    const stream = createWriteStream(path);
    await once(stream, 'open');
    return new LineSink(stream);
  }

  add(line: string): void {
    this.parts.push(line);
    this.chars += line.length;
    this.lines++;
  }

  /** True when enough is buffered that the caller should `flush()` before adding more. */
  get full(): boolean {
    return this.chars >= CHUNK_CHARS;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    this.bytes += Buffer.byteLength(text);
    // Backpressure: when the stream's buffer is full, wait for the disk before making more.
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }

  /** Stop writing after a failure, without waiting for anything. */
  destroy(): void {
    this.stream.destroy();
  }
}
