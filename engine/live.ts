// The live engine: device messages in (from any broker, or in-process from the embedded one), a snapshot
// every second on the wall clock, changed indicators published retained. The same CityEngine and the same
// RxJS operator as replay; only the clock's source differs.
import { asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { CityEngine, Snapshot } from './city-engine.js';
import { type IndicatorMeta, IndicatorPublisher, type RetainedPublish } from './indicator-publisher.js';
import { type IngestedHook, liveEngine, type RawMessage } from './pipeline.js';

export interface LiveCityOptions {
  engine: CityEngine;
  messages$: Observable<RawMessage>;
  publish: RetainedPublish;
  meta: ReadonlyMap<string, IndicatorMeta>;
  everyMs?: number;
  scheduler?: SchedulerLike;
  onSnapshot?: (s: Snapshot) => void;
  /** Every message with its receive time and outcome, after the engine took it (e.g. RecentMessages). */
  onIngested?: IngestedHook;
}

export class LiveCity {
  /** The latest snapshot, for the HTTP API and health checks. */
  latest: Snapshot | undefined;
  private subscription: Subscription | undefined;
  readonly publisher: IndicatorPublisher;
  /** Wall-clock ms the last snapshot took to compute and publish (evaluation lag). */
  lastEvaluationMs = 0;

  constructor(private readonly opts: LiveCityOptions) {
    this.publisher = new IndicatorPublisher(opts.meta, opts.publish);
  }

  get engine(): CityEngine {
    return this.opts.engine;
  }

  start(): void {
    const { engine, messages$, everyMs = 1000, scheduler = asyncScheduler, onIngested } = this.opts;
    const snapshots$ = liveEngine(messages$, engine, everyMs, scheduler, onIngested);
    this.subscription = snapshots$.subscribe((snapshot) => {
      const started = performance.now();
      this.latest = snapshot;
      this.publisher.onSnapshot(snapshot);
      this.opts.onSnapshot?.(snapshot);
      this.lastEvaluationMs = performance.now() - started;
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
