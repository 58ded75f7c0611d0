// The engine as RxJS: inputs (messages stamped with the engine clock, and ticks) in, snapshots out.
// Time is data here: live, a scheduler stamps each message and emits the ticks; in replay the recording's
// receive times do; in tests a TestScheduler's virtual clock does. The operator below is the same in all.
import {
  asyncScheduler,
  interval,
  map,
  merge,
  Observable,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import type { CityEngine, Snapshot } from './city-engine.js';
import { ArrivalForecasts } from './forecasts.js';
import { type EngineInput, type Inbound, Tick } from './inbound.js';
import type { RejectionReason } from './rejections.js';

/** Told of a throw while handling one input: `where` is 'engine' or the hook's name; `topic`, the message's. */
export type FaultHandler = (where: string, err: unknown, topic?: string) => void;

/**
 * Feed each input to the engine; emit a snapshot for each tick. `onIngested` hears each outcome.
 * A throw while handling one input goes to `onFault` and that input is skipped (live: the city goes on);
 * without `onFault` (replay) it ends the stream through its error channel, never as an uncaught exception.
 */
export function runEngine(
  engine: CityEngine,
  onIngested?: (msg: Inbound, outcome: RejectionReason | undefined) => void,
  onFault?: FaultHandler,
): OperatorFunction<EngineInput | ArrivalForecasts, Snapshot> {
  return (input$) =>
    new Observable<Snapshot>((subscriber) => {
      const fail = (where: string, err: unknown, topic?: string) => {
        if (onFault) onFault(where, err, topic);
        else subscriber.error(err);
      };
      return input$.subscribe({
        next(input) {
          if (input instanceof Tick) {
            let snapshot: Snapshot;
            try {
              snapshot = engine.snapshot(input.at);
            } catch (err) {
              return fail('engine', err);
            }
            subscriber.next(snapshot);
            return;
          }
          if (input instanceof ArrivalForecasts) {
            try {
              engine.forecast(input);
            } catch (err) {
              fail('engine', err, input.source);
            }
            return;
          }
          let outcome: RejectionReason | undefined;
          try {
            outcome = engine.ingest(input);
          } catch (err) {
            return fail('engine', err, input.topic);
          }
          if (onIngested === undefined) return;
          try {
            onIngested(input, outcome);
          } catch (err) {
            fail('on-ingested', err, input.topic);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

export interface RawMessage {
  topic: string;
  payload: Buffer | string;
}

/** Told of every live message after the engine took it: accepted (undefined) or why it was rejected. */
export type IngestedHook = (
  msg: RawMessage,
  receivedAt: number,
  outcome: RejectionReason | undefined,
) => void;

/**
 * Live: stamp each message with the scheduler's clock and take a snapshot every `everyMs`. Without
 * `onIngested` the path is exactly the hook-less one (one undefined check per message). With `onFault`, a
 * message or tick whose handling throws is reported there and skipped.
 */
export function liveEngine(
  messages$: Observable<RawMessage | ArrivalForecasts>,
  engine: CityEngine,
  everyMs = 1000,
  scheduler: SchedulerLike = asyncScheduler,
  onIngested?: IngestedHook,
  onFault?: FaultHandler,
): Observable<Snapshot> {
  const stamped$ = messages$.pipe(
    map((m): Inbound | ArrivalForecasts =>
      m instanceof ArrivalForecasts
        ? m.stampedAt(scheduler.now())
        : { receivedAt: scheduler.now(), topic: m.topic, payload: m.payload },
    ),
  );
  const ticks$ = interval(everyMs, scheduler).pipe(map(() => new Tick(scheduler.now())));
  // Live inputs are stamped just above from RawMessages, so their payload is never a replay's Decoded.
  const hook =
    onIngested &&
    ((msg: Inbound, outcome: RejectionReason | undefined) =>
      onIngested(msg as RawMessage, msg.receivedAt, outcome));
  return merge(stamped$, ticks$).pipe(runEngine(engine, hook, onFault));
}

/** Replay: interleave ticks at the requested instants (sorted) with inputs already in time order. */
export function withTicksAt(ats: readonly number[]): OperatorFunction<Inbound, EngineInput> {
  const sorted = [...ats].sort((a, b) => a - b);
  return (input$) =>
    new Observable<EngineInput>((subscriber) => {
      let next = 0;
      return input$.subscribe({
        next(msg) {
          // docs/contract.md §5: the state at T includes every line with t ≤ T.
          while (next < sorted.length && sorted[next] < msg.receivedAt)
            subscriber.next(new Tick(sorted[next++]));
          subscriber.next(msg);
        },
        error: (err) => subscriber.error(err),
        complete() {
          while (next < sorted.length) subscriber.next(new Tick(sorted[next++]));
          subscriber.complete();
        },
      });
    });
}
