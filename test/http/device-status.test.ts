// Device liveness over HTTP, fed the live way: messages through LiveCity on a virtual clock, the last
// messages heard through its onIngested hook, the devices down as the map's topic carries them.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { type DownDocument, DownPublisher } from '../../engine/down-publisher.js';
import { LiveCity } from '../../engine/live.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { RecentMessages } from '../../engine/recent-messages.js';
import { ensureAdminToken } from '../../http/auth.js';
import { createMetrics } from '../../http/metrics.js';
import { buildApi } from '../../http/server.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const iso = (ms: number) => new Date(ms).toISOString();

let app: FastifyInstance;
let token: string;
let live: LiveCity;
const messages$ = new Subject<RawMessage>();
const published: DownDocument[] = [];
// Virtual time outside run(): flush() runs the scheduled ticks up to maxFrames, then stops.
const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const advanceTo = (ms: number) => {
  scheduler.maxFrames = ms;
  scheduler.flush();
};
const send = (topic: string, payload: string) => messages$.next({ topic, payload: Buffer.from(payload) });

beforeAll(async () => {
  const store = await RegistryStore.open(tempDir());
  store.upsert((await loadInventoryDir(TOWN)).inventory);
  const registry = new Registry(store, store.credentials());
  token = ensureAdminToken(registry.credentials, '')!;
  const engine = new CityEngine(registry.inventory, buildCatalogue(LIVE_CATALOGUE));
  const recent = new RecentMessages();
  const down = new DownPublisher(engine, (_topic, payload) => published.push(JSON.parse(payload)));
  live = new LiveCity({
    engine,
    messages$,
    publish: () => {},
    meta: new Map(),
    scheduler,
    onSnapshot: (s) => down.onSnapshot(s),
    onIngested: (msg, t, outcome) => recent.record(msg, t, outcome),
  });
  live.start();
  app = await buildApi({
    registry,
    indicators: { engine: () => engine, latest: () => live.latest },
    metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 0 }),
    health: { engine: () => ({ ok: true }) },
    deviceStatus: { engine: () => engine, recent },
  });
  await app.ready();

  advanceTo(1000);
  send('city/cctv-gateway/gw-1/status', '{"state":"online"}');
  send('city/cctv/cam-1/status', '{"state":"online","video":"ok"}');
  send('city/sensor/sen-1/heartbeat', '{"ts":1}');
  send('city/sensor/sen-1/telemetry', '{"ts":');
  send('city/sensor/ghost/heartbeat', '{"ts":1}');
  advanceTo(6000);
});
afterAll(async () => {
  live?.stop();
  await app?.close();
});

const get = async (path: string) => {
  const res = await app.inject({ url: path, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() };
};

describe('GET /api/devices/{id}/status', () => {
  it("answers a live device's liveness and its last messages, newest first", async () => {
    expect(await get('/api/devices/sen-1/status')).toEqual({
      status: 200,
      body: {
        status: {
          id: 'sen-1',
          kind: 'sensor',
          district: 'north',
          online: true,
          available: true,
          reason: null,
          since: iso(1000),
          lastSeen: iso(1000),
          staleAt: iso(1000 + 180_000),
          expectedIntervalS: 60,
        },
        messages: [
          {
            receivedAt: iso(1000),
            topic: 'city/sensor/sen-1/telemetry',
            payload: '{"ts":',
            outcome: 'bad-json',
          },
          {
            receivedAt: iso(1000),
            topic: 'city/sensor/sen-1/heartbeat',
            payload: '{"ts":1}',
            outcome: 'accepted',
          },
        ],
      },
    });
  });

  it('shows what an unregistered id sent and why it was refused', async () => {
    const r = await get('/api/devices/ghost/status');
    expect(r.status).toBe(200);
    expect(r.body.status).toBeNull();
    expect(r.body.messages).toMatchObject([
      { topic: 'city/sensor/ghost/heartbeat', outcome: 'unknown-device' },
    ]);
  });

  it('answers a registered device never heard with no messages, and 404 for an id never seen', async () => {
    expect((await get('/api/devices/cam-4/status')).body).toMatchObject({
      status: { online: false, reason: 'offline', since: null, lastSeen: null },
      messages: [],
    });
    expect(await get('/api/devices/nobody/status')).toEqual({
      status: 404,
      body: { error: 'not-found', message: expect.stringMatching(/nobody/) },
    });
  });
});

describe('GET /api/devices/down', () => {
  it('answers the document the map topic carries', async () => {
    const r = await get('/api/devices/down');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ts: iso(6000), count: 6, total: 9 });
    expect(r.body.devices.map((d: { id: string }) => d.id)).toEqual([
      'cam-2',
      'cam-3',
      'cam-4',
      'pm-1',
      'pm-2',
      'bus-1',
    ]);
    // Published at the first tick (all 9 down), then at 6 s once the checks saw the change.
    expect(published.map((d) => d.count)).toEqual([9, 6]);
    expect(r.body).toEqual(published[1]);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await get('/docs/json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/devices/{id}/status', '/api/devices/down']),
    );
  });
});
