// `--gtfs-rt URL` on start and engine (repeatable): poll each GTFS-Realtime feed into L1.2.2 as arrival
// forecasts, mapping trips to routes with the static GTFS trips.txt beside the inventory's routes.txt.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import { asyncScheduler, merge, type Observable, type SchedulerLike } from 'rxjs';
import type { CityEngine } from '../engine/city-engine.js';
import type { ArrivalForecasts } from '../engine/forecasts.js';
import { FeedLog } from '../engine/gtfs-rt/feed-log.js';
import { FeedPoller } from '../engine/gtfs-rt/feed-poller.js';
import { type FeedStatusView, shownFeedUrl } from '../engine/gtfs-rt/feed-status.js';
import { formatRowError } from '../registry/load-inventory.js';
import { loadTripRoutes, TRIPS_FILE } from '../registry/trips-file.js';
import { CliError, UsageError } from './errors.js';

export interface GtfsRtFlags {
  gtfsRt?: string[];
  gtfsRtInterval: number;
  gtfsRtTimeout: number;
  gtfsRtTrips?: string;
}

/** L1.2.2's window when the catalogue has no arrival indicator to say it (docs/contract.md §4: 300 s). */
const DEFAULT_WINDOW_MS = 300_000;

function feedUrl(value: string, previous: string[] = []): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`'${value}' is not a URL: give the feed's http:// or https:// address.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`'${value}' is not http:// or https://: feeds are fetched over HTTP.`);
  return [...previous, value];
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** `30s`, `2m`, `500ms` or plain seconds, from 100 ms to 1 h. */
function durationFlag(value: string): number {
  const m = DURATION.exec(value.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS] : Number.NaN;
  if (!(ms >= 100 && ms <= 3_600_000))
    throw new InvalidArgumentError(`Expected a duration from 100ms to 60m, like 30s, 2m or 500ms.`);
  return Math.round(ms);
}

export function addGtfsRtOptions(cmd: Command): Command {
  return cmd
    .option(
      '--gtfs-rt <url>',
      'poll this GTFS-Realtime TripUpdates or VehiclePositions feed into L1.2.2 (repeatable)',
      feedUrl,
    )
    .option('--gtfs-rt-interval <duration>', 'how often each feed is polled', durationFlag, 30_000)
    .option('--gtfs-rt-timeout <duration>', 'how long one poll may take', durationFlag, 10_000)
    .option(
      '--gtfs-rt-trips <file>',
      `the static GTFS ${TRIPS_FILE} mapping trip_id to route_id (default: the one beside --inventory's routes.txt)`,
    );
}

export interface GtfsRtFeeds {
  forecasts$: Observable<ArrivalForecasts>;
  views(): FeedStatusView[];
  start(): void;
  stop(): void;
}

/**
 * The feeds' pollers, not yet started (start them once the engine they read routes from exists), or
 * undefined without --gtfs-rt. A trips.txt with a bad row stops the command, naming the line.
 */
export async function openGtfsRt(
  flags: GtfsRtFlags,
  opts: { inventoryDir?: string; engine: () => CityEngine; log: Logger; scheduler?: SchedulerLike },
): Promise<GtfsRtFeeds | undefined> {
  const urls = [...new Set(flags.gtfsRt ?? [])];
  if (urls.length === 0) return undefined;
  const tripsPath =
    flags.gtfsRtTrips ?? (opts.inventoryDir ? join(opts.inventoryDir, TRIPS_FILE) : undefined);
  if (flags.gtfsRtTrips && !existsSync(flags.gtfsRtTrips))
    throw new UsageError(`--gtfs-rt-trips '${flags.gtfsRtTrips}' does not exist: give a GTFS ${TRIPS_FILE}`);
  const trips = tripsPath
    ? await loadTripRoutes(tripsPath)
    : { routes: new Map<string, string>(), errors: [] };
  if (trips.errors.length > 0)
    throw new CliError(
      `${tripsPath} has ${trips.errors.length} bad row(s); fix them or remove the file:\n  ${trips.errors
        .slice(0, 5)
        .map(formatRowError)
        .join('\n  ')}`,
    );
  const context = () => {
    const model = opts.engine().model;
    const index = model.assets.route.index;
    return {
      tripRoutes: trips.routes,
      knownRoute: (id: string) => index.has(id),
      staleAfterMs: Math.max(0, ...model.eventCoverages.map((e) => e.withinMs)) || DEFAULT_WINDOW_MS,
    };
  };
  const pollers = urls.map(
    (url) =>
      new FeedPoller({
        url,
        intervalMs: flags.gtfsRtInterval,
        timeoutMs: flags.gtfsRtTimeout,
        scheduler: opts.scheduler ?? asyncScheduler,
        context,
        log: new FeedLog(opts.log, shownFeedUrl(url)),
        onFault: (err) =>
          opts.log.error(
            { err, feed: shownFeedUrl(url) },
            'internal error reading a GTFS-Realtime poll: skipped',
          ),
      }),
  );
  opts.log.info(
    { feeds: urls.map(shownFeedUrl), everyMs: flags.gtfsRtInterval, trips: trips.routes.size },
    trips.routes.size === 0
      ? `polling GTFS-Realtime feeds for L1.2.2; no ${TRIPS_FILE}, so only entities naming a route_id count`
      : 'polling GTFS-Realtime feeds for L1.2.2',
  );
  return {
    forecasts$: merge(...pollers.map((p) => p.forecasts$)),
    views: () => pollers.map((p) => p.status.view()),
    start: () => {
      for (const p of pollers) p.start();
    },
    stop: () => {
      for (const p of pollers) p.stop();
    },
  };
}
