// `citygauge engine --gtfs-rt URL` as an operator runs it: the flag wires a feed of VTA trips (served over
// local HTTP) into L1.2.2 and GET /api/sources/gtfs-rt, with no transit beacon at all; a bad flag, a bad
// trips.txt and --cluster are refused before anything starts.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import gtfsRealtime from 'gtfs-realtime-bindings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTripRoutes } from '../../registry/trips-file.js';
import { CLI, runCli } from '../support/cli.js';
import { freePort, waitForPort } from '../support/ports.js';
import { inventoryDir, tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const { FeedMessage } = gtfsRealtime.transit_realtime;
const SAMPLE = new URL('../../examples/sample-city/', import.meta.url).pathname;
const ADMIN_TOKEN = 'gtfs-rt-cli-admin-token-0123456789abcdef';
/** Three routes of the sample city (of its 60), by one real VTA trip each. */
const ROUTES = ['10', '23', '64'];

let feedServer: Server;
let feedUrl: string;
let child: ChildProcess;
let http: string;
let output = '';

// biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
async function get(path: string): Promise<any> {
  const res = await fetch(http + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return res.json();
}

beforeAll(async () => {
  const { routes } = await loadTripRoutes(join(SAMPLE, 'trips.txt'));
  const trips = ROUTES.map((r) => [...routes].find(([, route]) => route === r)![0]);
  feedServer = createServer((_req, res) => {
    const message = FeedMessage.fromObject({
      header: { gtfsRealtimeVersion: '2.0', timestamp: Math.floor(Date.now() / 1000) },
      entity: trips.map((tripId) => ({ id: tripId, vehicle: { trip: { tripId } } })),
    });
    res.writeHead(200).end(Buffer.from(FeedMessage.encode(message).finish()));
  });
  const feedPort = await freePort();
  await new Promise<void>((r) => feedServer.listen(feedPort, '127.0.0.1', r));
  feedUrl = `http://127.0.0.1:${feedPort}/vehicle-positions.pb`;
  const port = await freePort();
  http = `http://127.0.0.1:${port}`;
  child = spawn(
    process.execPath,
    [
      CLI,
      'engine',
      // No broker there: the feed alone gives L1.2.2.
      '--mqtt-url',
      `mqtt://127.0.0.1:${await freePort()}`,
      '--inventory',
      SAMPLE,
      '--data-dir',
      tempDir(),
      '--http-port',
      String(port),
      '--gtfs-rt',
      feedUrl,
      '--gtfs-rt-interval',
      '500ms',
    ],
    { env: { ...process.env, CITYGAUGE_ADMIN_TOKEN: ADMIN_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  await waitForPort(port, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${output}`);
  });
}, 60_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  await new Promise((r) => (child?.exitCode !== null ? r(null) : child.once('exit', r)));
  await new Promise((r) => feedServer?.close(r));
});

describe('citygauge engine --gtfs-rt', () => {
  it("gives L1.2.2 from the feed's trips, with no beacon, and shows the feed", async () => {
    const value = await waitFor(
      () => `L1.2.2 = 3 of 60 routes\n${output}`,
      async () => {
        const v = await get('/api/indicators/L1.2.2');
        return v.numerator === 3 ? v : undefined;
      },
      30_000,
    );
    expect(value).toMatchObject({ numerator: 3, denominator: 60, value: 5 });
    const { feeds } = await get('/api/sources/gtfs-rt');
    expect(feeds).toHaveLength(1);
    expect(feeds[0]).toMatchObject({ url: feedUrl, lastOutcome: 'ok', routes: ['10', '23', '64'] });
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`citygauge_gtfs_rt_polls_total\\{feed="${feedUrl}",outcome="ok"\\} [1-9]`),
    );
  });

  it('refuses a feed URL that is not http(s), a bad trips.txt naming its line, and --cluster', async () => {
    const ftp = await runCli(['engine', '--mqtt-url', 'mqtt://127.0.0.1:1', '--gtfs-rt', 'ftp://x/feed']);
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toMatch(/'ftp:\/\/x\/feed' is not http:\/\/ or https:\/\//);
    const badInterval = await runCli(['engine', '--gtfs-rt', feedUrl, '--gtfs-rt-interval', 'often']);
    expect(badInterval.code).toBe(2);
    expect(badInterval.stderr).toMatch(/like 30s, 2m or 500ms/);

    const city = inventoryDir({ 'trips.txt': 'route_id,trip_id\n10,t1\n,t2\n' });
    copyFileSync(join(SAMPLE, 'routes.txt'), join(city, 'routes.txt'));
    const bad = await runCli(
      [
        'engine',
        '--mqtt-url',
        'mqtt://127.0.0.1:1',
        '--inventory',
        city,
        '--data-dir',
        tempDir(),
        '--gtfs-rt',
        feedUrl,
      ],
      { timeoutMs: 30_000 },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /trips\.txt has 1 bad row\(s\); fix them or remove the file:\n {2}trips\.txt:3: route_id: is required/,
    );

    const cluster = await runCli(['engine', '--cluster', 'nats://127.0.0.1:1', '--gtfs-rt', feedUrl]);
    expect(cluster.code).toBe(2);
    expect(cluster.stderr).toMatch(
      /--gtfs-rt runs in one engine \(--mqtt-url\), not yet in a --cluster shard/,
    );
  }, 60_000);
});
