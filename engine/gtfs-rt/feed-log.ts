// The log lines of one GTFS-Realtime feed, each naming the fix, rate-limited: a change of state (down,
// back, stale) is logged at once, the same trouble again at most every `everyMs` with how often it recurred,
// so a feed down for a day writes a few lines, not one per poll.
import type { Logger } from 'pino';
import type { EntityRefusal, FeedReading } from './feed-forecasts.js';
import type { PollOutcome } from './feed-status.js';

const FIX: Record<Exclude<PollOutcome, 'ok' | 'unchanged'>, string> = {
  'http-error': 'check the URL given to --gtfs-rt and that the agency still publishes the feed there',
  timeout: 'check the network to the feed, or raise --gtfs-rt-timeout',
  unreachable: 'check the URL given to --gtfs-rt and that its server is up and reachable from here',
  'bad-protobuf':
    'point --gtfs-rt at the binary GTFS-Realtime feed (TripUpdates or VehiclePositions), not a web page or JSON',
  stale: "the agency's feed has stopped updating (or this machine's clock is wrong: check NTP)",
};

const ENTITY_FIX: Record<EntityRefusal, string> = {
  'unknown-trip':
    "put the agency's current static GTFS trips.txt beside routes.txt in the inventory folder and restart",
  'unknown-route': "import the agency's current routes.txt (citygauge import, or POST /api/inventory)",
  'no-trip': 'the feed names no trip for these entities: nothing to do here, the agency may fix it',
  'no-prediction': 'these trips carry no arrival or departure prediction (or are cancelled): nothing to do',
  stale: 'these entities carry timestamps older than 300 s: the vehicles have stopped reporting',
};

export class FeedLog {
  private lastOutcome: PollOutcome | undefined;
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private repeats = 0;
  private readonly refusedSince = new Map<EntityRefusal, { n: number; lineAt: number; example?: string }>();

  constructor(
    private readonly log: Pick<Logger, 'info' | 'warn'>,
    private readonly url: string,
    private readonly everyMs = 600_000,
  ) {}

  outcome(at: number, outcome: PollOutcome, problem?: string): void {
    const good = outcome === 'ok' || outcome === 'unchanged';
    const wasGood =
      this.lastOutcome === undefined || this.lastOutcome === 'ok' || this.lastOutcome === 'unchanged';
    const changed = good ? !wasGood : outcome !== this.lastOutcome;
    const first = this.lastOutcome === undefined;
    this.lastOutcome = outcome;
    if (good) {
      if (changed)
        this.log.info({ feed: this.url }, 'GTFS-Realtime feed answers again: its routes count again');
      else if (first)
        this.log.info({ feed: this.url }, 'GTFS-Realtime feed read: its routes count for L1.2.2');
      return;
    }
    if (!changed && at - this.lastLineAt < this.everyMs) {
      this.repeats++;
      return;
    }
    const fix = FIX[outcome as keyof typeof FIX];
    this.log.warn(
      { feed: this.url, outcome, problem, repeats: this.repeats },
      `GTFS-Realtime feed refused (${outcome}${problem ? `: ${problem}` : ''}): its routes do not count for L1.2.2 until it answers well; ${fix}`,
    );
    this.lastLineAt = at;
    this.repeats = 0;
  }

  refusals(at: number, reading: FeedReading): void {
    for (const [reason, n] of Object.entries(reading.refused) as [EntityRefusal, number][]) {
      const r = this.refusedSince.get(reason) ?? { n: 0, lineAt: Number.NEGATIVE_INFINITY };
      r.n += n;
      r.example ??= reading.examples[reason];
      this.refusedSince.set(reason, r);
      if (at - r.lineAt < this.everyMs) continue;
      this.log.warn(
        { feed: this.url, reason, entities: r.n, example: r.example },
        `GTFS-Realtime entities refused (${reason}, ${r.n}, e.g. ${r.example ?? 'no id'}): they count for no route; ${ENTITY_FIX[reason]}`,
      );
      this.refusedSince.set(reason, { n: 0, lineAt: at });
    }
  }
}
