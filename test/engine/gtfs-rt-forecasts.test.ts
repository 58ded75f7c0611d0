// A GTFS-Realtime FeedMessage read for L1.2.2 (engine/gtfs-rt/feed-forecasts.ts), on real VTA trip ids
// from the sample city's trips.txt: which entities are forecasts for which route, at what time, and why
// the others are refused.
import fc from 'fast-check';
import gtfsRealtime from 'gtfs-realtime-bindings';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type FeedContext,
  type FeedMessage,
  readFeed,
  readFeedBytes,
} from '../../engine/gtfs-rt/feed-forecasts.js';
import { loadTripRoutes } from '../../registry/trips-file.js';

const { FeedMessage: Feed, TripDescriptor, TripUpdate } = gtfsRealtime.transit_realtime;
const SAMPLE_TRIPS = new URL('../../examples/sample-city/trips.txt', import.meta.url).pathname;
const NOW = Date.parse('2026-03-02T08:00:00Z');
const S = (ms: number) => Math.floor(ms / 1000);

let tripRoutes: Map<string, string>;
/** The registry's routes: every route the sample city's trips run, but route 25. */
let registry: Set<string>;
let trips: { tripId: string; routeId: string }[];
let ctx: FeedContext;

beforeAll(async () => {
  ({ routes: tripRoutes } = await loadTripRoutes(SAMPLE_TRIPS));
  trips = [...tripRoutes].map(([tripId, routeId]) => ({ tripId, routeId }));
  registry = new Set([...tripRoutes.values()].filter((r) => r !== '25'));
  ctx = { tripRoutes, knownRoute: (id) => registry.has(id), now: NOW, staleAfterMs: 300_000 };
});

const tripOf = (routeId: string) => trips.find((t) => t.routeId === routeId)!.tripId;
const predicted = (tripId: string, extra: object = {}) => ({
  id: `tu-${tripId}`,
  tripUpdate: { trip: { tripId }, stopTimeUpdate: [{ stopSequence: 3, arrival: { delay: 60 } }], ...extra },
});
const feed = (entity: object[], headerAt = NOW - 20_000): FeedMessage => ({
  header: { gtfsRealtimeVersion: '2.0', timestamp: S(headerAt) },
  entity: entity as FeedMessage['entity'],
});

describe('a GTFS-Realtime feed read for L1.2.2', () => {
  it("maps each predicted trip to its route through trips.txt, forecast at the header's time", () => {
    const r = readFeed(
      feed([predicted(tripOf('23')), predicted(tripOf('10')), predicted(tripOf('23'))]),
      ctx,
    );
    expect(r.outcome).toBe('ok');
    expect(r.forecasts).toEqual([
      { routeId: '10', at: NOW - 20_000 },
      { routeId: '23', at: NOW - 20_000 },
    ]);
    expect(r.refused).toEqual({});
  });

  it("honours the trip descriptor's route_id over trips.txt, even for a trip trips.txt does not know", () => {
    const r = readFeed(
      feed([
        {
          id: 'a',
          tripUpdate: {
            trip: { tripId: tripOf('23'), routeId: '10' },
            stopTimeUpdate: [{ departure: { time: S(NOW) } }],
          },
        },
        { id: 'b', vehicle: { trip: { tripId: 'not-in-trips-txt', routeId: '64' } } },
      ]),
      ctx,
    );
    expect(r.forecasts.map((f) => f.routeId)).toEqual(['10', '64']);
  });

  it('counts a vehicle on a trip, and refuses one on no trip', () => {
    const r = readFeed(
      feed([
        {
          id: 'v1',
          vehicle: { trip: { tripId: tripOf('64') }, position: { latitude: 37.3, longitude: -121.9 } },
        },
        { id: 'v2', vehicle: { position: { latitude: 37.3, longitude: -121.9 } } },
      ]),
      ctx,
    );
    expect(r.forecasts.map((f) => f.routeId)).toEqual(['64']);
    expect(r.refused).toEqual({ 'no-trip': 1 });
  });

  it('refuses a trip with no prediction: no arrival or departure, only skipped stops, or cancelled', () => {
    const skipped = TripUpdate.StopTimeUpdate.ScheduleRelationship.SKIPPED;
    const r = readFeed(
      feed([
        { id: '1', tripUpdate: { trip: { tripId: tripOf('23') }, stopTimeUpdate: [{ stopSequence: 1 }] } },
        { id: '2', tripUpdate: { trip: { tripId: tripOf('23') }, stopTimeUpdate: [] } },
        {
          id: '3',
          tripUpdate: {
            trip: { tripId: tripOf('23') },
            stopTimeUpdate: [{ scheduleRelationship: skipped, arrival: { time: S(NOW) } }],
          },
        },
        predicted(tripOf('23'), {
          trip: { tripId: tripOf('23'), scheduleRelationship: TripDescriptor.ScheduleRelationship.CANCELED },
        }),
        { id: 'alert', alert: { headerText: { translation: [{ text: 'detour' }] } } },
      ]),
      ctx,
    );
    expect(r.forecasts).toEqual([]);
    expect(r.refused).toEqual({ 'no-prediction': 4 });
    expect(r.entities).toBe(5);
  });

  it('refuses an unknown trip and a route the registry does not have, naming an example of each', () => {
    const r = readFeed(feed([predicted('9999999'), predicted(tripOf('25')), predicted(tripOf('10'))]), ctx);
    expect(r.forecasts.map((f) => f.routeId)).toEqual(['10']);
    expect(r.refused).toEqual({ 'unknown-trip': 1, 'unknown-route': 1 });
    expect(r.examples).toEqual({ 'unknown-trip': '9999999', 'unknown-route': '25' });
  });

  it("uses an entity's own timestamp when older than the header's, and refuses one older than 300 s", () => {
    const r = readFeed(
      feed([
        predicted(tripOf('10'), { timestamp: S(NOW - 200_000) }),
        predicted(tripOf('23'), { timestamp: S(NOW + 60_000) }),
        { id: 'old', vehicle: { trip: { tripId: tripOf('64') }, timestamp: S(NOW - 301_000) } },
      ]),
      ctx,
    );
    expect(r.forecasts).toEqual([
      { routeId: '10', at: NOW - 200_000 },
      { routeId: '23', at: NOW - 20_000 },
    ]);
    expect(r.refused).toEqual({ stale: 1 });
  });

  it('refuses a whole message whose header is over 300 s old or has no timestamp; exactly 300 s still counts', () => {
    const trip = [predicted(tripOf('10'))];
    expect(readFeed(feed(trip, NOW - 300_000), ctx).forecasts).toHaveLength(1);
    const stale = readFeed(feed(trip, NOW - 301_000), ctx);
    expect(stale).toMatchObject({ outcome: 'stale', forecasts: [], headerAt: NOW - 301_000 });
    expect(stale.problem).toMatch(/header timestamp is 301 s old, over the 300 s/);
    const none = readFeed({ header: { gtfsRealtimeVersion: '2.0' }, entity: trip as never }, ctx);
    expect(none).toMatchObject({ outcome: 'stale', forecasts: [], problem: 'the header has no timestamp' });
  });

  it('refuses a whole message whose header is over 300 s ahead of the clock, naming the fix', () => {
    const trip = [predicted(tripOf('10'))];
    expect(readFeed(feed(trip, NOW + 300_000), ctx).outcome).toBe('ok');
    const ahead = readFeed(feed(trip, NOW + 3_600_000), ctx);
    expect(ahead).toMatchObject({ outcome: 'stale', forecasts: [] });
    expect(ahead.problem).toMatch(
      /header timestamp is 3600 s ahead of this machine's clock.*set the feed's clock/,
    );
  });

  it('reads the protobuf bytes a feed serves, and refuses bytes that are no FeedMessage', () => {
    const bytes = Feed.encode(Feed.fromObject(feed([predicted(tripOf('23'))]))).finish();
    expect(readFeedBytes(bytes, ctx).forecasts).toEqual([{ routeId: '23', at: NOW - 20_000 }]);
    for (const junk of [
      Buffer.from('<html>Service Unavailable</html>'),
      Buffer.from([0xff, 0xff, 0xff]),
      new Uint8Array(),
    ]) {
      const r = readFeedBytes(junk, ctx);
      expect(r.outcome).toBe('bad-protobuf');
      expect(r.problem).toMatch(/^not a GTFS-Realtime FeedMessage/);
      expect(r.forecasts).toEqual([]);
    }
  });

  it('never throws on hostile bytes: random ones, or a real message with bytes flipped or cut short', () => {
    const real = Feed.encode(
      Feed.fromObject(
        feed([predicted(tripOf('23')), { id: 'v', vehicle: { trip: { tripId: tripOf('10') } } }]),
      ),
    ).finish();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 })
            .map((flips) => {
              const b = Uint8Array.from(real);
              for (const [i, v] of flips) b[i] = v;
              return b;
            }),
          fc.nat(real.length).map((n) => real.slice(0, n)),
        ),
        (bytes) => {
          const r = readFeedBytes(bytes, ctx);
          expect(['ok', 'stale', 'bad-protobuf']).toContain(r.outcome);
          for (const f of r.forecasts) expect(registry.has(f.routeId)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('forecasts exactly the routes of the trips in the feed that the registry has, one per route', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 6105 }), { maxLength: 40 }),
        fc.array(
          fc.string({ minLength: 1, maxLength: 8 }).map((s) => `x-${s}`),
          { maxLength: 5 },
        ),
        fc.boolean(),
        (picks, unknown, viaEncode) => {
          const chosen = picks.map((i) => trips[i]);
          const message = feed([
            ...chosen.map((t) => predicted(t.tripId)),
            ...unknown.map((id) => predicted(id)),
          ]);
          const r = viaEncode
            ? readFeedBytes(Feed.encode(Feed.fromObject(message)).finish(), ctx)
            : readFeed(message, ctx);
          const expected = [...new Set(chosen.map((t) => t.routeId).filter((id) => registry.has(id)))].sort();
          expect(r.forecasts.map((f) => f.routeId)).toEqual(expected);
          const refused = Object.values(r.refused).reduce((a, b) => a + b, 0);
          expect(refused).toBe(unknown.length + chosen.filter((t) => !registry.has(t.routeId)).length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
