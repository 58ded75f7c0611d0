// One GTFS-Realtime feed's tallies and latest state: what /metrics counts and GET /api/sources/gtfs-rt shows,
// so an operator sees a feed that is down, stale or full of unknown trips without reading the logs.
import { ENTITY_REFUSALS, type EntityRefusal, type FeedReading } from './feed-forecasts.js';

/** How a poll ended: `ok` and `unchanged` (HTTP 304) are good; the others count for nothing. */
export const POLL_OUTCOMES = [
  'ok',
  'unchanged',
  'http-error',
  'timeout',
  'unreachable',
  'bad-protobuf',
  'stale',
] as const;
export type PollOutcome = (typeof POLL_OUTCOMES)[number];

export interface FeedStatusView {
  url: string;
  /** How its forecasts are tagged in the engine. */
  source: string;
  lastPollAt: string | null;
  lastOutcome: PollOutcome | null;
  /** The last poll whose forecasts counted (ok or unchanged). */
  lastGoodPollAt: string | null;
  /** The header timestamp of the last message read. */
  lastHeaderAt: string | null;
  lastError: { at: string; outcome: PollOutcome; message: string } | null;
  /** Routes the last good message held forecasts for (in the registry), sorted. */
  routes: string[];
  polls: Record<PollOutcome, number>;
  /** Entities that were no forecast, by reason, since start. */
  refused: Record<EntityRefusal, number>;
  /** Route forecasts handed to the engine since start. */
  forecasts: number;
}

/** RFC 3339, or null for no time or one no date can hold (a feed's header may carry any uint64). */
const iso = (ms: number | undefined) =>
  ms === undefined || !Number.isFinite(new Date(ms).getTime()) ? null : new Date(ms).toISOString();

/**
 * A feed's URL as shown to viewers, in /metrics and in the log: GTFS-Realtime providers put the API key in
 * the query or the user info, so the values there are hidden and only their names shown.
 */
export function shownFeedUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const names = [...u.searchParams.keys()];
  const query = names.length ? `?${names.map((n) => `${encodeURIComponent(n)}=…`).join('&')}` : '';
  return `${u.protocol}//${u.username || u.password ? '…@' : ''}${u.host}${u.pathname}${query}`;
}
const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export class FeedStatus {
  readonly source: string;
  readonly polls = zeros(POLL_OUTCOMES);
  readonly refused = zeros(ENTITY_REFUSALS);
  forecasts = 0;
  lastPollAt: number | undefined;
  lastOutcome: PollOutcome | undefined;
  lastGoodPollAt: number | undefined;
  lastHeaderAt: number | undefined;
  lastError: { at: number; outcome: PollOutcome; message: string } | undefined;
  routes: readonly string[] = [];

  /** The feed's URL as shown (shownFeedUrl): never its key. */
  readonly url: string;

  constructor(url: string) {
    this.url = shownFeedUrl(url);
    this.source = `gtfs-rt:${this.url}`;
  }

  /** A poll that read a message (outcome ok, stale or bad-protobuf). */
  read(at: number, reading: FeedReading): void {
    for (const [reason, n] of Object.entries(reading.refused)) this.refused[reason as EntityRefusal] += n;
    if (reading.headerAt > 0) this.lastHeaderAt = reading.headerAt;
    if (reading.outcome !== 'ok') {
      this.failed(at, reading.outcome, reading.problem ?? reading.outcome);
      return;
    }
    this.polled(at, 'ok');
    this.lastGoodPollAt = at;
    this.forecasts += reading.forecasts.length;
    this.routes = reading.forecasts.map((f) => f.routeId);
  }

  /** HTTP 304: the feed has not changed since the last message, whose forecasts stand. */
  unchanged(at: number): void {
    this.polled(at, 'unchanged');
    this.lastGoodPollAt = at;
  }

  failed(at: number, outcome: PollOutcome, message: string): void {
    this.polled(at, outcome);
    this.lastError = { at, outcome, message };
  }

  view(): FeedStatusView {
    return {
      url: this.url,
      source: this.source,
      lastPollAt: iso(this.lastPollAt),
      lastOutcome: this.lastOutcome ?? null,
      lastGoodPollAt: iso(this.lastGoodPollAt),
      lastHeaderAt: iso(this.lastHeaderAt),
      lastError: this.lastError ? { ...this.lastError, at: iso(this.lastError.at)! } : null,
      routes: [...this.routes],
      polls: { ...this.polls },
      refused: { ...this.refused },
      forecasts: this.forecasts,
    };
  }

  private polled(at: number, outcome: PollOutcome): void {
    this.polls[outcome]++;
    this.lastPollAt = at;
    this.lastOutcome = outcome;
  }
}
