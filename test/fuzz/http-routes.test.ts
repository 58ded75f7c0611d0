// Property test of every HTTP route (CONTRACT §5) with hostile paths, queries, headers and bodies, in
// process through `app.inject` against a real registry, history store, alert log and scorecard store.
// Routes are enumerated as they are added, so a new route is fuzzed without touching this file. No
// answer is a 500, and every 4xx is the one error shape `{"error","message"}`.
import fc from 'fast-check';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { AlertService } from '../../engine/alerts/alert-service.js';
import { CityEngine } from '../../engine/city-engine.js';
import { RecentMessages } from '../../engine/recent-messages.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { ensureAdminToken } from '../../http/auth.js';
import { createMetrics } from '../../http/metrics.js';
import { buildApi } from '../../http/server.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { tempDir } from '../support/tmp.js';
import { deeplyNested, mutated, oddJsonValue, oddKey } from './arbitraries.js';
import { fuzzParams, fuzzTimeout } from './runs.js';

const TOWN = new URL('../fixtures/town/', import.meta.url).pathname;

interface Route {
  method: string;
  url: string;
}

let app: FastifyInstance;
let token: string;
const routes: Route[] = [];
let history: SqliteHistory;

beforeAll(async () => {
  const dir = tempDir('citygauge-fuzz-http-');
  const store = await RegistryStore.open(dir);
  store.upsert((await loadInventoryDir(TOWN)).inventory);
  const registry = new Registry(store, store.credentials());
  token = ensureAdminToken(registry.credentials, '')!;
  const catalogue = buildCatalogue(LIVE_CATALOGUE);
  let engine = new CityEngine(registry.inventory, catalogue);
  registry.onChange((inv) => {
    engine = new CityEngine(inv, catalogue);
  });
  history = new SqliteHistory(dir, { now: () => Date.now() });
  const alerts = new AlertService(
    registry.inventory.city.thresholds,
    await SqliteAlertLog.open(dir),
    () => {},
  );
  app = await buildApi({
    registry,
    indicators: { engine: () => engine, latest: () => undefined },
    metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 0 }),
    health: { engine: () => ({ ok: true }) },
    history,
    alerts,
    deviceStatus: { engine: () => engine, recent: new RecentMessages() },
    scorecard: {
      store: ScorecardStore.open(dir),
      live: () => ({ values: new Map(), note: 'no live values in this test' }),
    },
    onRoute: [
      (r) => {
        for (const method of [r.method].flat()) routes.push({ method, url: r.url });
      },
    ],
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await history?.close();
});

/** Path parameters: real ids, ids no one has, and text no id may hold (encoded, as a client would). */
const param = fc.oneof(
  fc.constantFrom(
    'cam-1',
    'gw-1',
    'pm-1',
    'L2.1.1',
    'L2.2.1.b4',
    'city',
    '1',
    'ghost',
    '',
    '%',
    '..',
    '.',
    '%00',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
  fc.constant('x'.repeat(5000)),
);

const QUERY_KEYS = [
  'scope',
  'from',
  'to',
  'every',
  'limit',
  'cursor',
  'kind',
  'district',
  'down',
  'period',
  'format',
  'year',
  'indicator',
  'id',
];
const queryValue = fc.oneof(
  fc.constantFrom(
    'city',
    'centre',
    '2026',
    '2026-Q3',
    '2026-01-05T08:00:00Z',
    '1h',
    '10s',
    '5m',
    '0',
    '-1',
    '1e999',
    'NaN',
    'true',
    'cctv',
    '',
    'x'.repeat(3000),
  ),
  fc.string({ unit: 'binary', maxLength: 16 }),
);
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), oddKey), queryValue), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

/** Bodies shaped like the API's own, then broken. */
const EXAMPLES: Record<string, unknown>[] = [
  { id: 'cam-9', kind: 'cctv', assetId: 'plaza', hd: true },
  { district: 'centre', expectedIntervalS: 30, lat: 52, lon: 4 },
  { by: 'A. Person' },
  {
    thresholds: [{ indicator: 'L2.1.1', scope: 'city', below: 90, clearAt: 95, forS: 60, severity: 'major' }],
  },
  { indicator: 'L2.1.1', scope: 'city', below: 90, clearAt: 95, forS: 60 },
  { indicator: 'ECO.1', period: '2026', inputs: { value: 3 }, source: 'report', by: 'M. Jansen' },
  { entries: [{ indicator: 'ECO.1', period: '2026', inputs: { value: 3 }, source: 'report', by: 'M' }] },
  { weights: { economy: 1 } },
];
const jsonBody = fc.oneof(
  fc.constantFrom(...EXAMPLES),
  fc.constantFrom(...EXAMPLES).chain(mutated),
  oddJsonValue,
  fc.dictionary(oddKey, oddJsonValue, { maxKeys: 4 }),
);
const body: fc.Arbitrary<{ type?: string; payload?: string | Buffer }> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 6,
    arbitrary: jsonBody.map((v) => ({ type: 'application/json', payload: JSON.stringify(v) ?? '' })),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'application/json', payload: '' }) },
  { weight: 1, arbitrary: deeplyNested.map((p) => ({ type: 'application/json', payload: p })) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constantFrom(
        'application/json',
        'application/json; charset=latin1',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'multipart/form-data; boundary=x',
        'application/xml',
        '',
      ),
      payload: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 64 }),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      {
        type: 'multipart/form-data; boundary=b',
        payload:
          '--b\r\nContent-Disposition: form-data; name="file"; filename="devices.csv"\r\n\r\nid,kind\n"x\r\n--b--\r\n',
      },
      {
        type: 'multipart/form-data; boundary=b',
        payload:
          '--b\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\n\r\nx\r\n--b--\r\n',
      },
      { type: 'multipart/form-data; boundary=b', payload: '--b\r\n\r\n--b' },
    ),
  },
);

const auth = fc.oneof(
  fc.constant<'token' | 'none' | string>('token'),
  fc.constant('none'),
  fc.constantFrom('Bearer ', 'Bearer wrong', 'Basic YTpi', 'bearer', `Bearer ${'x'.repeat(2000)}`),
);

describe('fuzzing every HTTP route', () => {
  it('found the routes to fuzz', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes).toContainEqual({ method: 'POST', url: '/api/devices' });
  });

  it(
    'answers any path, query, header and body with no 500, every 4xx in the one error shape',
    async () => {
      const request = fc.record({
        route: fc.constantFrom(...routes),
        params: fc.array(param, { minLength: 4, maxLength: 4 }),
        query,
        body,
        auth,
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ route, params, query, body, auth }) => {
          let i = 0;
          const path = route.url.replace(/:[A-Za-z]+|\*/g, () => params[i++ % params.length]);
          const url = query ? `${path}?${query}` : path;
          const headers: Record<string, string> = {};
          if (body.type !== undefined) headers['content-type'] = body.type;
          if (auth === 'token') headers.authorization = `Bearer ${token}`;
          else if (auth !== 'none') headers.authorization = auth;
          const res = await app.inject({
            method: route.method as HTTPMethods,
            url,
            headers,
            ...(body.payload !== undefined ? { payload: body.payload } : {}),
          });
          const where = `${route.method} ${url} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          expect(res.statusCode, where).toBeLessThan(500);
          // HEAD answers GET's headers without its body.
          if (res.statusCode >= 400 && route.method !== 'HEAD') {
            expect(res.headers['content-type'], where).toMatch(/^application\/json/);
            const err = JSON.parse(res.body);
            // `{error, message}`, both text; the scorecard's 400s add a list of field `errors` beside them.
            expect(err, where).toEqual({
              error: expect.stringMatching(/^[a-z-]+$/),
              message: expect.stringMatching(/\S/),
              ...('errors' in err ? { errors: expect.any(Array) } : {}),
            });
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(15_000),
  );
});
