// The live engine: device messages in (from any broker, or in-process from the embedded one), a snapshot
// every tick of the wall clock (500 ms in start and engine), changed indicators published retained. The same
// CityEngine and the same RxJS operator as replay; only the clock's source differs. What follows each message
// and each snapshot is a list of named consumers, each guarded: one that throws is reported and the others still run.
import { asyncScheduler, merge, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { CityEngine, Snapshot } from './city-engine.js';
import type { ArrivalForecasts } from './forecasts.js';
import { type IndicatorMeta, IndicatorPublisher, type RetainedPublish } from './indicator-publisher.js';
import { type FaultHandler, type IngestedHook, liveEngine, type RawMessage } from './pipeline.js';

/** Something that follows the live city (history, alerts, devices down, recent messages, …). */
export interface LiveConsumer {
  /** Names it in fault logs and in `citygauge_internal_errors_total{where}`. */
  name: string;
  onSnapshot?(s: Snapshot): void;
  /** Every message with its receive time and outcome, after the engine took it. */
  onIngested?: IngestedHook;
}

export interface LiveCityOptions {
  engine: CityEngine;
  messages$: Observable<RawMessage>;
  /** Arrival forecasts from sources that are not devices (GTFS-Realtime feeds), beside the messages. */
  forecasts$?: Observable<ArrivalForecasts>;
  publish: RetainedPublish;
  meta: ReadonlyMap<string, IndicatorMeta>;
  everyMs?: number;
  scheduler?: SchedulerLike;
  /** Run in this order after each message and each snapshot (the retained publisher goes first). */
  consumers?: readonly LiveConsumer[];
  /** A consumer of the snapshots, for one-off uses (named 'on-snapshot'). */
  onSnapshot?: (s: Snapshot) => void;
  /** A consumer of the messages, for one-off uses (named 'on-ingested'). */
  onIngested?: IngestedHook;
  /**
   * Told of every throw while handling a message or a snapshot, which is then skipped for that part only.
   * Without it a throw is logged on stderr, still without stopping the city.
   */
  onFault?: FaultHandler;
}

const stderrFault: FaultHandler = (where, err, topic) =>
  process.stderr.write(
    `citygauge: internal error in ${where}${topic ? ` on ${topic}` : ''}: ${(err as Error)?.stack ?? String(err)}\n`,
  );

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
    const {
      engine,
      messages$,
      everyMs = 1000,
      scheduler = asyncScheduler,
      onFault = stderrFault,
    } = this.opts;
    const consumers: LiveConsumer[] = [
      { name: 'retained-publisher', onSnapshot: (s) => this.publisher.onSnapshot(s) },
      ...(this.opts.consumers ?? []),
      ...(this.opts.onSnapshot ? [{ name: 'on-snapshot', onSnapshot: this.opts.onSnapshot }] : []),
      ...(this.opts.onIngested ? [{ name: 'on-ingested', onIngested: this.opts.onIngested }] : []),
    ];
    const snapshotHooks = consumers.filter((c) => c.onSnapshot);
    const ingestHooks = consumers.filter((c) => c.onIngested);
    // No message consumer: the engine's path stays exactly the hook-less one.
    const onIngested: IngestedHook | undefined =
      ingestHooks.length === 0
        ? undefined
        : (msg, receivedAt, outcome) => {
            for (const c of ingestHooks) {
              try {
                c.onIngested?.(msg, receivedAt, outcome);
              } catch (err) {
                onFault(c.name, err, msg.topic);
              }
            }
          };
    const inputs$ = this.opts.forecasts$ ? merge(messages$, this.opts.forecasts$) : messages$;
    const snapshots$ = liveEngine(inputs$, engine, everyMs, scheduler, onIngested, onFault);
    this.subscription = snapshots$.subscribe({
      next: (snapshot) => {
        const started = performance.now();
        this.latest = snapshot;
        for (const c of snapshotHooks) {
          try {
            c.onSnapshot?.(snapshot);
          } catch (err) {
            onFault(c.name, err);
          }
        }
        this.lastEvaluationMs = performance.now() - started;
      },
      // Only the message source itself can end the stream (every throw above is contained): say so,
      // and health then shows the engine no longer ticking.
      error: (err) => onFault('message-source', err),
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
