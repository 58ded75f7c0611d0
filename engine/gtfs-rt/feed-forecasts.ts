// What one GTFS-Realtime FeedMessage says for L1.2.2 (docs/contract-as-implemented.md, "GTFS-Realtime"):
// each trip with a predicted arrival or departure, and each vehicle on a trip, is an arrival forecast for
// the trip's route. Pure: the decoded message, the static trip → route map, the registry's routes and the
// clock in; forecasts and the refusals, by reason, out.
import gtfsRealtime from 'gtfs-realtime-bindings';
import type { RouteForecast } from '../forecasts.js';

const { transit_realtime: rt } = gtfsRealtime;
export type FeedMessage = gtfsRealtime.transit_realtime.IFeedMessage;
type FeedEntity = gtfsRealtime.transit_realtime.IFeedEntity;
type TripDescriptor = gtfsRealtime.transit_realtime.ITripDescriptor;
type StopTimeEvent = gtfsRealtime.transit_realtime.TripUpdate.IStopTimeEvent;

/** Why a whole feed message counts for nothing: it is not a FeedMessage, or it is too old to show a bus now. */
export type FeedRefusal = 'bad-protobuf' | 'stale';

/** Why one entity is no forecast (each counted per feed). */
export const ENTITY_REFUSALS = [
  'unknown-trip',
  'unknown-route',
  'no-trip',
  'no-prediction',
  'stale',
] as const;
export type EntityRefusal = (typeof ENTITY_REFUSALS)[number];

export interface FeedContext {
  /** trip_id → route_id from the static GTFS trips.txt (empty when the city has none). */
  tripRoutes: ReadonlyMap<string, string>;
  /** Whether the registry has this route_id. */
  knownRoute: (routeId: string) => boolean;
  /** The engine clock, epoch ms. */
  now: number;
  /** A header or entity older than this counts for nothing: L1.2.2's window (300 s). */
  staleAfterMs: number;
}

export interface FeedReading {
  outcome: 'ok' | FeedRefusal;
  /** What went wrong, in words, for a refused message. */
  problem?: string;
  /** The header's timestamp, epoch ms (0 when it has none). */
  headerAt: number;
  /** One per route: the newest forecast the message holds for it, sorted by route id. */
  forecasts: RouteForecast[];
  refused: Partial<Record<EntityRefusal, number>>;
  /** The first trip or route id refused for each reason, for the log line that names the fix. */
  examples: Partial<Record<EntityRefusal, string>>;
  /** Entities read (alerts and deletions included). */
  entities: number;
}

type Long = { toNumber(): number };
const has = (o: object | null | undefined, key: string) =>
  o != null && Object.hasOwn(o, key) && (o as Record<string, unknown>)[key] != null;
const seconds = (x: number | Long) => (typeof x === 'number' ? x : x.toNumber());
/** Epoch ms of a GTFS-Realtime POSIX time in seconds, or 0 when the field is absent or 0. */
const epochMs = (o: object | null | undefined, key: string) =>
  has(o, key) ? seconds((o as Record<string, number | Long>)[key]) * 1000 : 0;

const predicts = (ev: StopTimeEvent | null | undefined) => has(ev, 'time') || has(ev, 'delay');

/** Decode the bytes of a feed and read them; a body that is no FeedMessage is refused, never thrown. */
export function readFeedBytes(bytes: Uint8Array, ctx: FeedContext): FeedReading {
  let message: FeedMessage;
  try {
    message = rt.FeedMessage.decode(bytes);
  } catch (err) {
    return {
      ...empty(0),
      outcome: 'bad-protobuf',
      problem: `not a GTFS-Realtime FeedMessage (${(err as Error).message})`,
    };
  }
  return readFeed(message, ctx);
}

/**
 * The rule: the header's timestamp must be within `staleAfterMs` of now, before or after (a header without
 * one cannot show it is fresh). Each forecast is made at the header's time, or the entity's own timestamp when it has one
 * and it is older; an entity older than the window is refused as `stale`.
 */
export function readFeed(message: FeedMessage, ctx: FeedContext): FeedReading {
  const headerAt = epochMs(message.header, 'timestamp');
  const entities = message.entity ?? [];
  if (headerAt === 0)
    return { ...empty(0, entities.length), outcome: 'stale', problem: 'the header has no timestamp' };
  const ageS = Math.round((ctx.now - headerAt) / 1000);
  // A header as far ahead of this clock as a stale one is behind tells nothing of now either.
  if (headerAt - ctx.now > ctx.staleAfterMs)
    return {
      ...empty(0, entities.length),
      outcome: 'stale',
      problem: `the header timestamp is ${-ageS} s ahead of this machine's clock, over the ${ctx.staleAfterMs / 1000} s L1.2.2 counts: set the feed's clock (or this one's) right`,
    };
  if (ctx.now - headerAt > ctx.staleAfterMs)
    return {
      ...empty(headerAt, entities.length),
      outcome: 'stale',
      problem: `the header timestamp is ${ageS} s old, over the ${ctx.staleAfterMs / 1000} s L1.2.2 counts`,
    };
  const reading = empty(headerAt, entities.length);
  const newest = new Map<string, number>();
  const refuse = (reason: EntityRefusal, example: string | null | undefined) => {
    reading.refused[reason] = (reading.refused[reason] ?? 0) + 1;
    if (example && reading.examples[reason] === undefined) reading.examples[reason] = example;
  };
  for (const entity of entities) {
    const forecast = entityForecast(entity);
    if (forecast === undefined) continue;
    if ('refused' in forecast) {
      refuse(forecast.refused, entity.id);
      continue;
    }
    const at = forecast.at > 0 && forecast.at < headerAt ? forecast.at : headerAt;
    if (ctx.now - at > ctx.staleAfterMs) {
      refuse('stale', entity.id);
      continue;
    }
    const route = routeOf(forecast.trip, ctx);
    if ('refused' in route) {
      refuse(route.refused, route.id);
      continue;
    }
    newest.set(route.routeId, Math.max(at, newest.get(route.routeId) ?? 0));
  }
  reading.forecasts = [...newest]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([routeId, at]) => ({ routeId, at }));
  return reading;
}

const empty = (headerAt: number, entities = 0): FeedReading => ({
  outcome: 'ok',
  headerAt,
  forecasts: [],
  refused: {},
  examples: {},
  entities,
});

/** The trip an entity forecasts and its own time; undefined for what is no forecast at all (an alert). */
function entityForecast(
  e: FeedEntity,
): { trip: TripDescriptor; at: number } | { refused: EntityRefusal } | undefined {
  if (e.isDeleted) return undefined;
  if (e.tripUpdate) {
    const u = e.tripUpdate;
    if (!u.trip) return { refused: 'no-trip' };
    if (u.trip.scheduleRelationship === rt.TripDescriptor.ScheduleRelationship.CANCELED)
      return { refused: 'no-prediction' };
    const skipped = rt.TripUpdate.StopTimeUpdate.ScheduleRelationship;
    const predicted = (u.stopTimeUpdate ?? []).some(
      (s) =>
        s.scheduleRelationship !== skipped.SKIPPED &&
        s.scheduleRelationship !== skipped.NO_DATA &&
        (predicts(s.arrival) || predicts(s.departure)),
    );
    if (!predicted) return { refused: 'no-prediction' };
    return { trip: u.trip, at: epochMs(u, 'timestamp') };
  }
  if (e.vehicle) {
    if (!e.vehicle.trip) return { refused: 'no-trip' };
    return { trip: e.vehicle.trip, at: epochMs(e.vehicle, 'timestamp') };
  }
  return undefined;
}

/** The descriptor's route_id when it has one, else its trip_id's route in trips.txt. */
function routeOf(
  trip: TripDescriptor,
  ctx: FeedContext,
): { routeId: string } | { refused: EntityRefusal; id: string } {
  let routeId = trip.routeId || undefined;
  if (routeId === undefined) {
    if (!trip.tripId) return { refused: 'no-trip', id: '' };
    routeId = ctx.tripRoutes.get(trip.tripId);
    if (routeId === undefined) return { refused: 'unknown-trip', id: trip.tripId };
  }
  return ctx.knownRoute(routeId) ? { routeId } : { refused: 'unknown-route', id: routeId };
}
