// GTFS-Realtime into L1.2.2, end to end in one process: feeds generated from VTA's GTFS (real trip ids of the
// sample city's trips.txt) served over local HTTP, polled by --gtfs-rt's wiring (cli/gtfs-rt.ts) into the
// live engine (CityServices), read back through the HTTP API and /metrics. Then each way a feed goes bad
// (HTTP 500, no answer, stale header, garbage bytes, unknown trips, server gone) is refused, counted,
// shown, and counts as no coverage. The engine's clock is the wall clock plus a shift the test moves, so
// 300 s pass in an instant.
import { spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import gtfsRealtime from 'gtfs-realtime-bindings';
import pino from 'pino';
import { asyncScheduler, type SchedulerLike, Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityServices } from '../../cli/city-services.js';
import { type GtfsRtFeeds, openGtfsRt } from '../../cli/gtfs-rt.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { CityEngine } from '../../engine/city-engine.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { loadTripRoutes } from '../../registry/trips-file.js';
import { type FullApi, fullApi } from '../support/full-api.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const { FeedMessage } = gtfsRealtime.transit_realtime;
const SAMPLE = new URL('../../examples/sample-city/', import.meta.url).pathname;

/** The engine clock: the wall clock plus `shift.ms`. */
const shift = { ms: 0 };
const scheduler: SchedulerLike = {
  now: () => Date.now() + shift.ms,
  schedule: asyncScheduler.schedule.bind(asyncScheduler) as SchedulerLike['schedule'],
};

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const handlers: Record<'trips' | 'vehicles', Handler> = { trips: () => {}, vehicles: () => {} };
let server: Server;
let base: string;
let city: CityServices;
let feeds: GtfsRtFeeds;
let api: FullApi;
let logged = '';
let routeCount: number;
/** Trips by route, from the sample city's trips.txt. */
const tripsOf = new Map<string, string[]>();

const header = (at = scheduler.now()) => ({ gtfsRealtimeVersion: '2.0', timestamp: Math.floor(at / 1000) });
const serve =
  (message: () => object): Handler =>
  (_req, res) => {
    const body = FeedMessage.encode(FeedMessage.fromObject(message())).finish();
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from(body));
  };
const tripUpdate = (tripId: string, routeId?: string) => ({
  id: `tu-${tripId}`,
  tripUpdate: {
    trip: { tripId, ...(routeId ? { routeId } : {}) },
    stopTimeUpdate: [{ stopSequence: 5, arrival: { time: Math.floor(scheduler.now() / 1000) + 240 } }],
  },
});
const vehicle = (tripId: string) => ({
  id: `vp-${tripId}`,
  vehicle: { trip: { tripId }, timestamp: header().timestamp },
});

// Feed 1, TripUpdates: two trips on each of routes 10, 23, 64, 522 by trip_id; route 231 (no trips in VTA's
// trips.txt) by its route_id; a trip trips.txt does not know; a route the registry does not have.
const TRIP_ROUTES = ['10', '23', '64', '522'];
// Feed 2, VehiclePositions: buses on routes 64 (also in feed 1), 68, 72.
const VEHICLE_ROUTES = ['64', '68', '72'];
const tripsFeed = () => ({
  header: header(),
  entity: [
    ...TRIP_ROUTES.flatMap((r) =>
      tripsOf
        .get(r)!
        .slice(0, 2)
        .map((t) => tripUpdate(t)),
    ),
    tripUpdate('9000001', '231'),
    tripUpdate('9999999'),
    tripUpdate('9000002', 'no-such-route'),
  ],
});
const vehiclesFeed = () => ({
  header: header(),
  entity: VEHICLE_ROUTES.map((r) => vehicle(tripsOf.get(r)![3])),
});

// biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
async function get(url: string): Promise<any> {
  const res = await api.app.inject({ url, headers: { authorization: `Bearer ${api.adminToken}` } });
  expect(res.statusCode, url).toBe(200);
  return url === '/metrics' ? res.body : res.json();
}
const l122 = async () => (await get('/api/indicators/L1.2.2')).value as number | null;
const feedStatus = async (which: 'trips' | 'vehicles') =>
  (await get('/api/sources/gtfs-rt')).feeds.find((f: { url: string }) => f.url === `${base}/${which}.pb`);
const metric = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
const polls = async (which: string, outcome: string) =>
  metric(
    await get('/metrics'),
    'citygauge_gtfs_rt_polls_total',
    `feed="${base}/${which}.pb",outcome="${outcome}"`,
  );

/** Until L1.2.2 reads `expected` (%), saying what it read last. */
async function untilL122(expected: number) {
  let last: number | null = null;
  await waitFor(
    () => `L1.2.2 = ${expected} (last read ${last})`,
    async () => {
      last = await l122();
      return last !== null && Math.abs(last - expected) < 1e-6;
    },
  );
}
/** Until the feed has had `n` more polls ending in `outcome` than now. */
async function untilPolls(which: 'trips' | 'vehicles', outcome: string, n = 2) {
  const before = await polls(which, outcome);
  await waitFor(
    `${n} more ${outcome} polls of ${which}.pb`,
    async () => (await polls(which, outcome)) >= before + n,
  );
}

beforeAll(async () => {
  for (const [trip, route] of (await loadTripRoutes(`${SAMPLE}trips.txt`)).routes) {
    if (!tripsOf.has(route)) tripsOf.set(route, []);
    tripsOf.get(route)!.push(trip);
  }
  const { inventory } = await loadInventoryDir(SAMPLE, { strict: true });
  routeCount = inventory.routes.size;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = createServer((req, res) =>
    (req.url === '/trips.pb' ? handlers.trips : handlers.vehicles)(req, res),
  );
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  handlers.trips = serve(tripsFeed);
  handlers.vehicles = serve(vehiclesFeed);

  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        logged += chunk;
        done();
      },
    }),
  );
  const dir = tempDir('citygauge-gtfs-rt-');
  const catalogue = buildCatalogue(LIVE_CATALOGUE);
  feeds = (await openGtfsRt(
    { gtfsRt: [`${base}/trips.pb`, `${base}/vehicles.pb`], gtfsRtInterval: 150, gtfsRtTimeout: 400 },
    { inventoryDir: SAMPLE, engine: () => city.engine, log, scheduler },
  ))!;
  city = new CityServices({
    engine: new CityEngine(inventory, catalogue),
    catalogue,
    thresholds: [],
    messages$: new Subject(),
    forecasts$: feeds.forecasts$,
    history: new SqliteHistory(dir, { now: () => scheduler.now() }),
    alertLog: await SqliteAlertLog.open(dir),
    publish: () => {},
    everyMs: 100,
    scheduler,
  });
  feeds.start();
  api = await fullApi({
    indicators: city.indicators,
    metrics: city.metrics({ gtfsRt: feeds.views }),
    gtfsRt: feeds.views,
  });
}, 60_000);

afterAll(async () => {
  feeds?.stop();
  await city?.close();
  await api?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

describe('GTFS-Realtime feeds in a running engine', () => {
  it('count the routes in the feeds that the registry has: L1.2.2 = routes ∩ registry ÷ routes × 100', async () => {
    const counted = new Set([...TRIP_ROUTES, '231', ...VEHICLE_ROUTES]);
    expect(counted.size).toBe(7); // route 64 is in both
    await untilL122((counted.size / routeCount) * 100);
    const trips = await feedStatus('trips');
    expect(trips).toMatchObject({
      source: `gtfs-rt:${base}/trips.pb`,
      lastOutcome: 'ok',
      lastError: null,
      routes: ['10', '23', '231', '522', '64'],
    });
    expect(trips.refused['unknown-trip']).toBeGreaterThanOrEqual(1);
    expect(trips.refused['unknown-route']).toBeGreaterThanOrEqual(1);
    expect((await feedStatus('vehicles')).routes).toEqual(['64', '68', '72']);
    const metrics = await get('/metrics');
    const feed = `feed="${base}/trips.pb"`;
    expect(metric(metrics, 'citygauge_gtfs_rt_polls_total', `${feed},outcome="ok"`)).toBeGreaterThanOrEqual(
      1,
    );
    expect(metric(metrics, 'citygauge_gtfs_rt_entities_refused_total', `${feed},reason="unknown-trip"`)).toBe(
      trips.refused['unknown-trip'],
    );
    // Prometheus' own linter takes the feed's series (Debian's prometheus package ships promtool).
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    if (lint.error)
      throw new Error(`promtool is not installed (${lint.error.message}): apt-get install prometheus`);
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(logged).toMatch(
      /entities refused \(unknown-trip, 1, e\.g\. 9999999\)[^"]*trips\.txt beside routes\.txt/,
    );
  });

  it('refuses a feed answering 500, keeps its routes for 300 s from its last good header, then drops them', async () => {
    handlers.vehicles = (_req, res) => res.writeHead(500).end('upstream broke');
    await untilPolls('vehicles', 'http-error');
    const status = await feedStatus('vehicles');
    expect(status.lastError).toMatchObject({
      outcome: 'http-error',
      message: 'HTTP 500 Internal Server Error',
    });
    expect(status.lastGoodPollAt).not.toBeNull();
    expect(await l122()).toBeCloseTo((7 / routeCount) * 100, 6);
    expect(logged).toMatch(
      /GTFS-Realtime feed refused \(http-error: HTTP 500[^"]*check the URL given to --gtfs-rt/,
    );
    // 301 s later only the feed still answering counts: route 64 stays, held by the trips feed.
    shift.ms += 301_000;
    await untilL122((5 / routeCount) * 100);
  });

  it('refuses a feed that does not answer in time, and one whose header is stale, as no coverage', async () => {
    handlers.vehicles = () => {}; // accepts, never answers
    handlers.trips = serve(() => ({ ...tripsFeed(), header: header(scheduler.now() - 600_000) }));
    await untilPolls('vehicles', 'timeout', 1);
    await untilPolls('trips', 'stale');
    expect((await feedStatus('trips')).lastError.message).toMatch(
      /header timestamp is 60[01] s old, over the 300 s/,
    );
    expect((await feedStatus('vehicles')).lastError.message).toBe('no answer within 0.4 s');
    shift.ms += 301_000;
    await untilL122(0);
    await untilPolls('trips', 'stale');
    expect(await l122()).toBe(0);
  });

  it('refuses garbage bytes and a feed of unknown trips only, counting no route', async () => {
    handlers.trips = (_req, res) => res.writeHead(200).end('<html><body>Feed moved</body></html>');
    handlers.vehicles = serve(() => ({ header: header(), entity: [vehicle('8888888'), vehicle('8888889')] }));
    await untilPolls('trips', 'bad-protobuf');
    await untilPolls('vehicles', 'ok');
    expect((await feedStatus('trips')).lastError.message).toMatch(/^not a GTFS-Realtime FeedMessage/);
    expect((await feedStatus('vehicles')).routes).toEqual([]);
    const refused = metric(
      await get('/metrics'),
      'citygauge_gtfs_rt_entities_refused_total',
      `feed="${base}/vehicles.pb",reason="unknown-trip"`,
    );
    expect(refused).toBeGreaterThanOrEqual(4);
    expect(await l122()).toBe(0);
  });

  it('stands on its last message while the feed answers 304 Not Modified, which ages like any other', async () => {
    const fresh = serve(tripsFeed);
    handlers.trips = (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304, { etag: '"v1"' }).end();
      res.setHeader('etag', '"v1"');
      fresh(req, res);
    };
    await untilPolls('trips', 'unchanged');
    await untilL122((5 / routeCount) * 100);
    shift.ms += 301_000;
    await untilPolls('trips', 'stale', 1);
    expect((await feedStatus('trips')).lastError.message).toMatch(
      /^unchanged \(HTTP 304\) since a header 30\d s old$/,
    );
    await untilL122(0);
  });

  it('refuses a feed whose server is gone, and the engine goes on ticking', async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await untilPolls('trips', 'unreachable');
    expect((await feedStatus('trips')).lastError.message).toBe('ECONNREFUSED');
    const before = city.lastSnapshotAt!;
    await waitFor('another snapshot', () => city.lastSnapshotAt! > before);
    expect(await l122()).toBe(0);
    await waitFor('why names the feeds', async () =>
      (await get('/api/indicators/L1.2.2')).why?.includes(
        `GTFS-Realtime ${base}/vehicles.pb: last poll unreachable`,
      ),
    );
    expect((await get('/api/indicators/L1.2.2')).why).toMatch(
      /^0 of 60 routes have a bus in service \(no arrival forecast in the last 5 min; GTFS-Realtime http:\S+\/trips\.pb: last poll unreachable;/,
    );
    expect(logged).toMatch(/unreachable: ECONNREFUSED[^"]*its server is up/);
  });
});
