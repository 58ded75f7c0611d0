// Reading a recording (docs/contract.md §5 replay input): one JSON line per received message, streamed in
// chunks so a 1 GB file never sits in memory. Lines that cannot be placed in time are reported, not fatal.
import { createReadStream } from 'node:fs';
import { Observable } from 'rxjs';
import { Decoded, type Inbound, MAX_PAYLOAD_BYTES } from './inbound.js';
import { parseTime } from './time.js';

export interface BadLine {
  line: number;
  reason: string;
}

export interface RecordingOptions {
  onBadLine?: (bad: BadLine) => void;
  onProgress?: (bytesRead: number) => void;
}

/** One recording line → an inbound message, or the reason it is unreadable. */
export function decodeLine(line: string): Inbound | string {
  let rec: { t?: unknown; topic?: unknown; payload?: unknown };
  try {
    rec = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (rec === null || typeof rec !== 'object') return 'not a JSON object';
  const receivedAt = parseTime(rec.t);
  if (Number.isNaN(receivedAt)) return `"t" must be an RFC 3339 time, got ${JSON.stringify(rec.t)}`;
  if (typeof rec.topic !== 'string') return '"topic" must be a string';
  const p = rec.payload;
  // A string is the payload's bytes as they arrived (possibly invalid JSON); anything else is its JSON.
  if (typeof p === 'string') return { receivedAt, topic: rec.topic, payload: p };
  if (p === undefined) return { receivedAt, topic: rec.topic, payload: '' };
  // Every UTF-16 unit is at most 3 UTF-8 bytes: a short line cannot hold an oversized payload, so only
  // long lines pay for measuring the payload exactly.
  const bytes = line.length * 3 <= MAX_PAYLOAD_BYTES ? line.length : Buffer.byteLength(JSON.stringify(p));
  return { receivedAt, topic: rec.topic, payload: new Decoded(p, bytes) };
}

export function readRecording(path: string, opts: RecordingOptions = {}): Observable<Inbound> {
  return new Observable<Inbound>((subscriber) => {
    const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
    let carry = '';
    let lineNo = 0;
    let bytes = 0;
    const emit = (line: string) => {
      lineNo++;
      if (line.length === 0 || (line.length === 1 && line === '\r')) return;
      const decoded = decodeLine(line);
      if (typeof decoded === 'string') opts.onBadLine?.({ line: lineNo, reason: decoded });
      else subscriber.next(decoded);
    };
    stream.on('data', (chunk) => {
      const text = carry + (chunk as string);
      // Measuring a chunk reads all of it again: only for someone showing progress.
      if (opts.onProgress) bytes += Buffer.byteLength(chunk as string);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        emit(text.slice(start, nl));
        start = nl + 1;
        if (subscriber.closed) {
          stream.destroy();
          return;
        }
      }
      carry = text.slice(start);
      opts.onProgress?.(bytes);
    });
    stream.on('end', () => {
      if (carry.length > 0) emit(carry);
      subscriber.complete();
    });
    stream.on('error', (err) => subscriber.error(err));
    return () => stream.destroy();
  });
}
