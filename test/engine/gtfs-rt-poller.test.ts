// One GTFS-Realtime feed polled over local HTTP (engine/gtfs-rt/feed-poller.ts), for what a hostile or broken
// feed server can send: a body with no length that never ends is cut at the cap, and the key in the feed's
// URL is never shown (API, metrics, log).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import gtfsRealtime from 'gtfs-realtime-bindings';
import { asyncScheduler } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedPoller } from '../../engine/gtfs-rt/feed-poller.js';
import { FeedStatus, shownFeedUrl } from '../../engine/gtfs-rt/feed-status.js';

const { FeedMessage } = gtfsRealtime.transit_realtime;
let server: Server;
let base: string;
let chunksSent = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/endless')) {
      // Chunked, no Content-Length: 1 KiB at a time for as long as the client reads.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      const more = () => {
        if (res.destroyed) return;
        chunksSent++;
        if (res.write(Buffer.alloc(1024, 7))) setImmediate(more);
        else res.once('drain', more);
      };
      more();
      return;
    }
    const body = FeedMessage.encode(
      FeedMessage.fromObject({
        header: { gtfsRealtimeVersion: '2.0', timestamp: Math.floor(Date.now() / 1000) },
      }),
    ).finish();
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end(Buffer.from(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const poller = (url: string) =>
  new FeedPoller({
    url,
    intervalMs: 30_000,
    timeoutMs: 10_000,
    scheduler: asyncScheduler,
    context: () => ({ tripRoutes: new Map(), knownRoute: () => true, staleAfterMs: 300_000 }),
    maxBytes: 64 * 1024,
  });

describe('a GTFS-Realtime feed server', () => {
  it('sending a body with no length that never ends is refused at the cap, and the body is not read on', async () => {
    const p = poller(`${base}/endless`);
    await p.pollOnce();
    expect(p.status.view()).toMatchObject({
      lastOutcome: 'http-error',
      lastError: { outcome: 'http-error', message: 'a body over the 65536 bytes a feed may be' },
    });
    // The reader stopped: the server did not get to send much past the cap.
    expect(chunksSent).toBeLessThan(64 + 256);
  });

  it('answering a good feed is read, with its key hidden wherever the feed is named', async () => {
    const p = poller(`${base}/trips.pb?api_key=SECRET-KEY&agency=vta`);
    await p.pollOnce();
    const view = p.status.view();
    expect(view.lastOutcome).toBe('ok');
    expect(view.url).toBe(`${base}/trips.pb?api_key=…&agency=…`);
    expect(view.source).toBe(`gtfs-rt:${base}/trips.pb?api_key=…&agency=…`);
    expect(JSON.stringify(view)).not.toContain('SECRET');
  });
});

describe('a feed URL as shown', () => {
  it('keeps the names of the query and hides the values and any user info', () => {
    expect(shownFeedUrl('https://bob:pw@api.511.org/transit/tripupdates?api_key=K1&agency=SC')).toBe(
      'https://…@api.511.org/transit/tripupdates?api_key=…&agency=…',
    );
    expect(shownFeedUrl('https://gtfs.vta.org/realtime/trips.pb')).toBe(
      'https://gtfs.vta.org/realtime/trips.pb',
    );
  });

  it('shows a header time no date can hold as none, rather than failing the whole answer', () => {
    const status = new FeedStatus('http://feed.example/trips.pb');
    status.read(Date.now(), {
      outcome: 'stale',
      problem: 'far ahead',
      headerAt: 2 ** 64, // a uint64 header, times 1000, is past any date
      forecasts: [],
      entities: 0,
      refused: {},
      examples: {},
    } as never);
    expect(status.view().lastHeaderAt).toBeNull();
  });
});
