// The InfluxDB history sink (issue 4 §1–2): batches points as line protocol, sends them while the
// database answers, spools them on disk when it does not, and drains the spool in order when it is back.
import type { Logger } from 'pino';
import { pino } from 'pino';
import { toLines } from './line-protocol.js';
import type { HistoryPoint, HistorySink, SinkStats } from './points.js';
import { Spool } from './spool.js';

/** What a transport answers for one batch. Expected failures are values, never throws. */
export type SendResult =
  | 'ok'
  | { retry: true; reason: string }
  | { rejected: true; status: number; reason: string; line?: string };

/** One way of getting lines into the database (v2 WriteApi, v1 /write). */
export interface LineTransport {
  /** Where it writes, for log messages. */
  readonly url: string;
  send(lines: string[]): Promise<SendResult>;
  /** What the operator should do about a 4xx, e.g. "check --influx-token". */
  hint(status: number): string;
  close?(): Promise<void>;
}

/** Unreachable, 5xx and 429 mean "later"; any other 4xx means the data (or the config) is refused. */
export function statusResult(status: number, reason: string, lines: readonly string[]): SendResult {
  if (status < 300) return 'ok';
  if (status === 429 || status >= 500) return { retry: true, reason: `${status} ${reason}` };
  return lines.length === 1
    ? { rejected: true, status, reason, line: lines[0] }
    : { rejected: true, status, reason };
}

// 401, 403 and 404 say the configuration is wrong (token, database, bucket), not the data: keep the
// points in the spool and say what to fix, rather than drop everything as "bad data".
const CONFIG_STATUSES = new Set([401, 403, 404]);

export interface InfluxSinkOptions {
  transport: LineTransport;
  /** The spool lives in `<dataDir>/spool/`. */
  dataDir: string;
  /** Lines per request; also the spool's segment size. */
  batchLines?: number;
  flushIntervalMs?: number;
  spoolMaxBytes?: number;
  minRetryMs?: number;
  maxRetryMs?: number;
  logger?: Logger;
}

export class InfluxSink implements HistorySink {
  readonly spool: Spool;
  private readonly transport: LineTransport;
  private readonly log: Logger;
  private readonly batchLines: number;
  private readonly minRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly flushTimer: NodeJS.Timeout;
  private pending: string[] = [];
  private written = 0;
  private rejected = 0;
  private retryDelayMs = 0;
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private working: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private down = false;
  private lastReason = '';

  constructor(options: InfluxSinkOptions) {
    this.transport = options.transport;
    this.log = options.logger ?? pino({ name: 'influx-sink' });
    this.batchLines = options.batchLines ?? 5000;
    this.minRetryMs = options.minRetryMs ?? 1000;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    this.spool = new Spool(options.dataDir, {
      maxBytes: options.spoolMaxBytes,
      segmentLines: this.batchLines,
    });
    this.spool.on('full', (full: boolean) => {
      if (full) {
        this.log.error(
          { spoolBytes: this.spool.bytes, maxBytes: this.spool.maxBytes, url: this.transport.url },
          `history spool in ${this.spool.dir} is full: InfluxDB at ${this.transport.url} has not taken points for a while; oldest device states are dropped (raise --spool-max-bytes or bring InfluxDB back)`,
        );
      } else this.log.info({ spoolBytes: this.spool.bytes }, 'history spool is below its bound again');
    });
    this.flushTimer = setInterval(() => this.kick(), options.flushIntervalMs ?? 1000);
    this.flushTimer.unref();
    // What a previous process left in the spool is sent as soon as the database answers.
    if (!this.spool.empty) {
      this.log.info({ spooled: this.spool.lines }, 'history spool holds points from before the restart');
      this.kick();
    }
  }

  write(points: readonly HistoryPoint[]): void {
    if (this.closed) return;
    try {
      for (const line of toLines(points)) this.pending.push(line);
    } catch (err) {
      // A process never dies on bad input (STYLE: errors).
      this.log.error({ err }, 'history point could not be turned into line protocol; skipped');
      return;
    }
    if (this.pending.length >= this.batchLines) this.kick();
  }

  /** Sends what is pending now and tries the spool once, without waiting for the backoff. */
  async flush(): Promise<void> {
    this.retryAt = 0;
    this.kick();
    while (this.working) await this.working;
  }

  /** Flushes once; whatever the database did not take stays in the spool for the next process. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    clearInterval(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.working;
    if (this.pending.length > 0) this.spool.append(this.pending.splice(0));
    if (!this.spool.empty) {
      this.log.warn(
        { spooled: this.spool.lines, dir: this.spool.dir },
        `${this.spool.lines} history points stay in ${this.spool.dir}; they are sent when the engine starts again and InfluxDB at ${this.transport.url} answers`,
      );
    }
    await this.transport.close?.();
  }

  stats(): SinkStats {
    return {
      written: this.written,
      spooled: this.spool.lines,
      spoolBytes: this.spool.bytes,
      rejected: this.rejected,
      dropped: this.spool.dropped,
    };
  }

  /** Runs one pass of work, serialized: never two requests at once, so the order holds. */
  private kick(): void {
    if (this.closed) return;
    if (this.working) {
      this.again = true;
      return;
    }
    this.working = this.work()
      .catch((err) => this.log.error({ err }, 'history sink failed unexpectedly'))
      .finally(() => {
        this.working = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async work(): Promise<void> {
    // The spool first: it holds older points than anything pending.
    while (!this.spool.empty && Date.now() >= this.retryAt) {
      // Draining a large spool takes a while: park new points behind it rather than in memory.
      if (this.pending.length >= this.batchLines) this.park(this.pending.splice(0));
      const batch = this.spool.peek()!;
      if ((await this.deliver(batch.lines)) === 'retry') break;
      this.spool.ack(batch.seq);
    }
    while (this.pending.length > 0) {
      const lines = this.pending.splice(0, this.batchLines);
      if (!this.spool.empty || Date.now() < this.retryAt || (await this.deliver(lines)) === 'retry') {
        if (!this.park(lines)) return;
      }
    }
  }

  /** Appends to the spool; if the disk refuses, keeps the lines in memory, oldest first, and says why. */
  private park(lines: string[]): boolean {
    try {
      this.spool.append(lines);
      return true;
    } catch (err) {
      this.pending = lines.concat(this.pending);
      this.log.error(
        { err, dir: this.spool.dir, pending: this.pending.length },
        `cannot write the history spool in ${this.spool.dir}: check free disk space and permissions of --data-dir; points are held in memory meanwhile`,
      );
      return false;
    }
  }

  /** Sends lines; 'done' when the database took them or refused them for good, 'retry' for later. */
  private async deliver(lines: string[]): Promise<'done' | 'retry'> {
    const result = await this.transport.send(lines);
    if (result === 'ok') {
      this.written += lines.length;
      this.recovered();
      return 'done';
    }
    if ('retry' in result) return this.backOff(result.reason);
    if (CONFIG_STATUSES.has(result.status)) {
      return this.backOff(
        `InfluxDB at ${this.transport.url} answered ${result.status}: ${this.transport.hint(result.status)} (${result.reason})`,
      );
    }
    if (lines.length > 1) {
      // Bad data somewhere in the batch: halve until the offending lines stand alone. Lines sent twice
      // are harmless, InfluxDB keeps one point per series and timestamp.
      const mid = Math.ceil(lines.length / 2);
      if ((await this.deliver(lines.slice(0, mid))) === 'retry') return 'retry';
      return this.deliver(lines.slice(mid));
    }
    this.rejected++;
    this.log.error(
      { status: result.status, line: lines[0], reason: result.reason, url: this.transport.url },
      `InfluxDB at ${this.transport.url} refused a point with ${result.status}: ${this.transport.hint(result.status)}; the line is dropped, not retried`,
    );
    return 'done';
  }

  /** Backoff 1 s → 30 s, doubling; logs once per outage, not once per attempt. */
  private backOff(reason: string): 'retry' {
    this.retryDelayMs = Math.min(
      this.maxRetryMs,
      this.retryDelayMs === 0 ? this.minRetryMs : this.retryDelayMs * 2,
    );
    this.retryAt = Date.now() + this.retryDelayMs;
    // Once per outage and per reason (a server coming back with 401 says something new), not per attempt.
    if (!this.down || reason !== this.lastReason) {
      this.down = true;
      this.lastReason = reason;
      this.log.warn(
        { url: this.transport.url, reason },
        `InfluxDB at ${this.transport.url} is not taking points (${reason}); spooling to ${this.spool.dir} and retrying`,
      );
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(), this.retryDelayMs);
    this.retryTimer.unref();
    return 'retry';
  }

  private recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.lastReason = '';
    this.retryDelayMs = 0;
    this.retryAt = 0;
    this.log.info(
      { url: this.transport.url, spooled: this.spool.lines },
      `InfluxDB at ${this.transport.url} answers again`,
    );
  }
}
