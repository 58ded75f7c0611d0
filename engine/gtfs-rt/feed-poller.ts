// Polls one GTFS-Realtime feed over HTTP and hands its arrival forecasts to the engine, as the MQTT source
// hands it device messages (engine/mqtt-source.ts). Every failure (an HTTP error, a timeout, no answer, bytes
// that are no FeedMessage, a stale header) is a counted outcome, never an error on the stream.
import { exhaustMap, Observable, type SchedulerLike, Subject, type Subscription, timer } from 'rxjs';
import { ArrivalForecasts } from '../forecasts.js';
import { type FeedContext, readFeedBytes } from './feed-forecasts.js';
import type { FeedLog } from './feed-log.js';
import { FeedStatus, type PollOutcome } from './feed-status.js';

/** A whole city's TripUpdates are a few MB; far more is no feed, and would all be held in memory. */
export const MAX_FEED_BYTES = 64 * 1024 * 1024;

export interface FeedPollerOptions {
  url: string;
  /** 30 s by default: the refresh most agencies publish at. */
  intervalMs: number;
  /** One request, body included. */
  timeoutMs: number;
  /** The engine's clock, so a virtual clock moves the stale rule too. */
  scheduler: SchedulerLike;
  context: () => Omit<FeedContext, 'now'>;
  log?: FeedLog;
  /** Told of a throw while reading a poll (a bug, not a bad feed): the poll is skipped, polling goes on. */
  onFault?: (err: unknown) => void;
  /** The largest body read (MAX_FEED_BYTES). */
  maxBytes?: number;
}

export class FeedPoller {
  readonly status: FeedStatus;
  private readonly out = new Subject<ArrivalForecasts>();
  /** Each good poll's forecasts (hot: a rebuilt engine's pipeline subscribes again without a new poll). */
  readonly forecasts$: Observable<ArrivalForecasts> = this.out.asObservable();
  private subscription: Subscription | undefined;
  private etag: string | undefined;
  private lastModified: string | undefined;

  constructor(private readonly opts: FeedPollerOptions) {
    this.status = new FeedStatus(opts.url);
  }

  start(): void {
    const { intervalMs, scheduler } = this.opts;
    this.subscription = timer(0, intervalMs, scheduler)
      // A poll still running when the next is due is not doubled: that one is skipped.
      .pipe(
        exhaustMap(
          () =>
            new Observable<void>((s) => {
              // pollOnce counts every failure it knows of; anything else is reported and the next poll runs.
              this.pollOnce().then(
                () => s.complete(),
                (err) => {
                  this.opts.onFault?.(err);
                  s.complete();
                },
              );
            }),
        ),
      )
      .subscribe();
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.out.complete();
  }

  /** One poll: fetch, read, count, and hand on what counts. Never rejects. */
  async pollOnce(): Promise<void> {
    const { url, timeoutMs, scheduler } = this.opts;
    let bytes: Uint8Array;
    try {
      const headers: Record<string, string> = { accept: 'application/x-protobuf, application/octet-stream' };
      if (this.etag) headers['if-none-match'] = this.etag;
      if (this.lastModified) headers['if-modified-since'] = this.lastModified;
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      if (res.status === 304) {
        await res.body?.cancel();
        // The message that stands is the last one read: it ages like any other.
        const { staleAfterMs } = this.opts.context();
        const ageMs = scheduler.now() - (this.status.lastHeaderAt ?? 0);
        if (ageMs > staleAfterMs)
          return this.fail('stale', `unchanged (HTTP 304) since a header ${Math.round(ageMs / 1000)} s old`);
        this.status.unchanged(scheduler.now());
        this.opts.log?.outcome(scheduler.now(), 'unchanged');
        return;
      }
      if (!res.ok) {
        await res.body?.cancel();
        return this.fail('http-error', `HTTP ${res.status} ${res.statusText}`.trim());
      }
      const max = this.opts.maxBytes ?? MAX_FEED_BYTES;
      const length = Number(res.headers.get('content-length') ?? 0);
      if (length > max) {
        await res.body?.cancel();
        return this.fail('http-error', `a body of ${length} bytes, over the ${max} a feed may be`);
      }
      // A body sent without its length (chunked) is counted as it comes, so it cannot grow past the cap either.
      const body = await bodyUpTo(res, max);
      if (body === undefined) return this.fail('http-error', `a body over the ${max} bytes a feed may be`);
      bytes = body;
      this.etag = res.headers.get('etag') ?? undefined;
      this.lastModified = res.headers.get('last-modified') ?? undefined;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        return this.fail('timeout', `no answer within ${timeoutMs / 1000} s`);
      return this.fail('unreachable', e.cause?.code ?? e.cause?.message ?? e.message);
    }
    const now = scheduler.now();
    const reading = readFeedBytes(bytes, { ...this.opts.context(), now });
    this.status.read(now, reading);
    this.opts.log?.outcome(now, reading.outcome, reading.problem);
    this.opts.log?.refusals(now, reading);
    // A refused message may still have been the one a 304 would stand for: forget its validators.
    if (reading.outcome !== 'ok') this.etag = this.lastModified = undefined;
    else if (reading.forecasts.length > 0)
      this.out.next(new ArrivalForecasts(this.status.source, reading.forecasts));
  }

  private fail(outcome: PollOutcome, message: string): void {
    const now = this.opts.scheduler.now();
    this.status.failed(now, outcome, message);
    this.opts.log?.outcome(now, outcome, message);
  }
}

/** The response's body, or undefined once it passes `max` bytes (the rest is not read). */
async function bodyUpTo(res: Response, max: number): Promise<Uint8Array | undefined> {
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, size);
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}
