// Transport over the v2 write API (InfluxDB 2.x, 3.x, Cloud, 1.8+) with the official client's WriteApi.
// The client's own retries are off (maxRetries 0): its retry buffer lives in memory and dies with the
// process, so the sink's on-disk spool decides what is retried and when.
import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import { type LineTransport, type SendResult, statusResult } from './influx-sink.js';
import { errorText, networkReason } from './influx-v1.js';

export interface InfluxV2Options {
  url: string;
  org: string;
  bucket: string;
  token?: string;
  timeoutMs?: number;
  /** Largest batch `send` gets; the client would split bigger ones behind our back. */
  maxBatchLines?: number;
}

export class InfluxV2Transport implements LineTransport {
  readonly url: string;
  private readonly api: WriteApi;
  private readonly maxBatchLines: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(o: InfluxV2Options) {
    this.url = o.url.replace(/\/+$/, '');
    this.maxBatchLines = o.maxBatchLines ?? 100_000;
    const client = new InfluxDB({ url: this.url, token: o.token, timeout: o.timeoutMs ?? 10_000 });
    this.api = client.getWriteApi(o.org, o.bucket, 'ms', {
      // Batching is the sink's: the WriteApi sends exactly what `send` gives it, when `flush` says.
      batchSize: this.maxBatchLines + 1,
      maxBatchBytes: Number.MAX_SAFE_INTEGER,
      flushInterval: 0,
      maxRetries: 0,
      // Returning the rejection hands the error to `flush()` (and keeps the client from logging it).
      writeFailed: (error) => Promise.reject(error),
    });
  }

  send(lines: string[]): Promise<SendResult> {
    // One batch at a time through the shared WriteApi buffer.
    const result = this.queue.then(() => this.sendInChunks(lines));
    this.queue = result;
    return result;
  }

  /** Batches bigger than the WriteApi buffer go in order, in pieces; a piece sent twice is harmless. */
  private async sendInChunks(lines: string[]): Promise<SendResult> {
    if (lines.length <= this.maxBatchLines) return this.sendNow(lines);
    for (let i = 0; i < lines.length; i += this.maxBatchLines) {
      const result = await this.sendNow(lines.slice(i, i + this.maxBatchLines));
      if (result !== 'ok') return result;
    }
    return 'ok';
  }

  private async sendNow(lines: string[]): Promise<SendResult> {
    try {
      this.api.writeRecords(lines);
      await this.api.flush();
      return 'ok';
    } catch (err) {
      if (err instanceof HttpError) {
        return statusResult(err.statusCode, errorText(err.body ?? '') || err.message, lines);
      }
      return { retry: true, reason: networkReason(err) };
    }
  }

  hint(status: number): string {
    if (status === 401 || status === 403) return 'check --influx-token';
    if (status === 404) {
      return 'check --influx-org and --influx-bucket (InfluxDB before 1.8 has no v2 write API: use --influx-api v1)';
    }
    return 'the data was refused; see the line';
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.api.dispose();
  }
}
