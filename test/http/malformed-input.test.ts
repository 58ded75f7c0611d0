// Every route answers malformed input with a 4xx in the one error shape, never a 500 (issue 10 item 11).
// The routes are the server's own (an onRoute hook), so a route added later is swept too. The API is the
// whole of `citygauge start`'s: registry, history, alerts, device status and the scorecard.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions, RouteOptions } from 'fastify';
import pino from 'pino';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityServices } from '../../cli/city-services.js';
import { openHistory } from '../../cli/history-options.js';
import { SqliteAlertLog } from '../../engine/alerts/alert-log.js';
import { CityEngine } from '../../engine/city-engine.js';
import type { RawMessage } from '../../engine/pipeline.js';
import { ensureAdminToken } from '../../http/auth.js';
import { errorAnswer } from '../../http/errors.js';
import { buildApi } from '../../http/server.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));

interface Route {
  method: string;
  url: string;
  /** Takes a body: every write does, with a schema or (uploads) without. */
  body: boolean;
  /** Its body has a schema. */
  shaped: boolean;
  query: string[];
}

let app: FastifyInstance;
let token: string;
let city: CityServices;
const routes: Route[] = [];

const keysOf = (schema: unknown): string[] => {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
};

beforeAll(async () => {
  const dataDir = tempDir();
  const store = await RegistryStore.open(dataDir);
  store.upsert((await loadInventoryDir(TOWN)).inventory);
  const registry = new Registry(store, store.credentials());
  token = ensureAdminToken(registry.credentials, '')!;
  const catalogue = buildCatalogue(LIVE_CATALOGUE);
  const log = pino({ level: 'silent' });
  const { sink, reader } = openHistory({ influxApi: 'v2', spoolMaxMb: 64 }, dataDir, log);
  city = new CityServices({
    engine: new CityEngine(registry.inventory, catalogue),
    catalogue,
    thresholds: registry.inventory.city.thresholds,
    messages$: new Subject<RawMessage>(),
    history: sink,
    alertLog: await SqliteAlertLog.open(dataDir),
    publish: () => {},
  });
  city.follow(registry);
  app = await buildApi({
    registry,
    indicators: city.indicators,
    metrics: city.metrics(),
    health: { engine: city.engineHealth },
    history: reader,
    alerts: city.alerts,
    deviceStatus: city.deviceStatus,
    scorecard: {
      store: ScorecardStore.open(dataDir),
      live: () => ({ values: new Map(), note: 'no live values in this test' }),
    },
    onRoute: [
      (r: RouteOptions) => {
        const methods = Array.isArray(r.method) ? r.method : [r.method];
        for (const method of methods) {
          if (method === 'HEAD' || method === 'OPTIONS') continue;
          routes.push({
            method,
            url: r.url,
            body: method !== 'GET',
            shaped: !!r.schema?.body,
            query: keysOf(r.schema?.querystring),
          });
        }
      },
    ],
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await city?.close();
});

/** A path for the route with its parameters filled in. */
const pathOf = (url: string, param = 'cam-1') => url.replace(/:[A-Za-z]+/g, encodeURIComponent(param));

interface Sent {
  status: number;
  type: string | null;
  text: string;
}

async function send(
  method: string,
  path: string,
  opts: { body?: string | Buffer; type?: string; auth?: boolean } = {},
): Promise<Sent> {
  const res = await app.inject({
    method: method as InjectOptions['method'],
    url: path,
    headers: {
      ...(opts.type ? { 'content-type': opts.type } : {}),
      ...(opts.auth === false ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(opts.body === undefined ? {} : { payload: opts.body }),
  });
  const type = res.headers['content-type'];
  return { status: res.statusCode, type: type === undefined ? null : String(type), text: res.body };
}

/** The answer is the one error shape with a 4xx, named for `what`. */
function expectRefused(r: Sent, what: string) {
  expect(r.status, `${what} answered ${r.status} ${r.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, `${what} answered ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
  expect(r.type ?? '', `${what} answered ${r.status} type ${r.type}`).toMatch(/^application\/json/);
  const body = JSON.parse(r.text);
  expect(body, what).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  expect(body.error, what).not.toBe('internal');
}

/** Not a 500; when refused, in the one shape. */
function expectNoServerError(r: Sent, what: string) {
  expect(r.status, `${what} answered ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
  if (r.status >= 400) expectRefused(r, what);
}

const BAD_JSON = ['{"indicator":', '{', '[1,2', 'nul', '"unterminated', '{"a":1}}', '\u0000'];
const WRONG_SHAPES = [
  '"text"',
  '42',
  'null',
  'true',
  '{"inputs":"x","period":7,"values":[],"id":{}}',
  // An item whose fields cannot even be turned into text (String() throws on it).
  '[{"indicator":{"toString":1},"scope":{"toString":1}}]',
];

describe('malformed input on every route', () => {
  it('finds the routes: registry, history, alerts, device status, scorecard, thresholds', () => {
    const urls = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const want of [
      'POST /api/devices',
      'GET /api/indicators/:id/history',
      'POST /api/scorecard/inputs',
      'POST /api/inventory',
      'GET /api/devices/:id/status',
    ])
      expect(urls, want).toContain(want);
    expect(routes.filter((r) => r.shaped).length).toBeGreaterThan(5);
  });

  it('a body that is not JSON is a 4xx on every route taking a body, with and without a token', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.body)) {
      for (const auth of [true, false])
        for (const body of BAD_JSON) {
          const what = `${r.method} ${r.url} ${JSON.stringify(body)}${auth ? '' : ' (no token)'}`;
          const got = await send(r.method, pathOf(r.url), { body, type: 'application/json', auth });
          try {
            expectRefused(got, what);
          } catch (e) {
            failures.push((e as Error).message.split('\n')[0]);
          }
        }
    }
    expect(failures).toEqual([]);
  });

  it('a JSON body of the wrong shape is a 4xx on every route with a body schema', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.shaped)) {
      for (const auth of [true, false])
        for (const body of WRONG_SHAPES) {
          const what = `${r.method} ${r.url} ${body}${auth ? '' : ' (no token)'}`;
          const got = await send(r.method, pathOf(r.url), { body, type: 'application/json', auth });
          try {
            expectRefused(got, what);
          } catch (e) {
            failures.push((e as Error).message.split('\n')[0]);
          }
        }
    }
    expect(failures).toEqual([]);
    // An empty list is a value for some routes (no thresholds), so only: never a 500.
    for (const r of routes.filter((x) => x.body)) {
      const got = await send(r.method, pathOf(r.url), { body: '[]', type: 'application/json', auth: false });
      expectNoServerError(got, `${r.method} ${r.url} []`);
    }
  });

  it('a body in a type the route does not read is a 415 naming application/json', async () => {
    for (const r of routes.filter((x) => x.body)) {
      const got = await send(r.method, pathOf(r.url), {
        body: '<device id="cam-9"/>',
        type: 'application/xml',
      });
      expectRefused(got, `${r.method} ${r.url} text/plain`);
      expect(got.status, `${r.method} ${r.url}`).toBe(415);
      expect(JSON.parse(got.text).message).toMatch(/application\/json/);
    }
  });

  it('a body over the limit is a 413 in the one shape', async () => {
    const big = `{"notes":"${'x'.repeat(1024 * 1024 + 10)}"}`;
    for (const r of routes.filter((x) => x.body)) {
      const got = await send(r.method, pathOf(r.url), { body: big, type: 'application/json' });
      expectRefused(got, `${r.method} ${r.url} 1 MiB body`);
      expect(got.status).toBe(413);
    }
  });

  it('nonsense in every query parameter is never a 500', async () => {
    const values = ['zzz', '-1', '1e999', '', '%00', 'x'.repeat(5000), '2026-13-45', '10s'];
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.query.length > 0)) {
      for (const key of r.query) {
        for (const v of values) {
          const what = `${r.method} ${r.url}?${key}=${v.slice(0, 20)}`;
          const got = await send(r.method, `${pathOf(r.url)}?${key}=${encodeURIComponent(v)}`);
          try {
            expectNoServerError(got, what);
          } catch (e) {
            failures.push((e as Error).message.split('\n')[0]);
          }
        }
        const twice = await send(r.method, `${pathOf(r.url)}?${key}=a&${key}=b`);
        try {
          expectNoServerError(twice, `${r.method} ${r.url}?${key}=a&${key}=b`);
        } catch (e) {
          failures.push((e as Error).message.split('\n')[0]);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('odd path parameters and malformed percent-encoding are never a 500', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.url.includes(':'))) {
      for (const param of ['..', 'x'.repeat(3000), '\u0000', 'ünï', ' ', '%']) {
        const got = await send(
          r.method,
          pathOf(r.url, param),
          r.body ? { body: '{}', type: 'application/json' } : {},
        );
        try {
          expectNoServerError(got, `${r.method} ${r.url} with ${JSON.stringify(param.slice(0, 10))}`);
        } catch (e) {
          failures.push((e as Error).message.split('\n')[0]);
        }
      }
    }
    expect(failures).toEqual([]);
    const bad = await send('GET', '/api/devices/%E0%A4%A');
    expectRefused(bad, 'malformed percent-encoding');
    expect(bad.status).toBe(400);
  });
});

describe('errorAnswer', () => {
  it('keeps an unforeseen error’s details in the log, not in the answer', () => {
    expect(errorAnswer(new Error('SQLITE_CORRUPT at /srv/city/data/registry.sqlite'))).toEqual({
      status: 500,
      body: { error: 'internal', message: 'internal error: see the server log' },
    });
  });

  it('keeps the words of a 500 fastify gave (a throw in a hook or a validator) in the log too', () => {
    const thrown = Object.assign(new TypeError('Cannot convert object to primitive value'), {
      statusCode: 500,
    });
    expect(errorAnswer(thrown)).toEqual({
      status: 500,
      body: { error: 'internal', message: 'internal error: see the server log' },
    });
  });

  it('passes on a status someone chose, with its words', () => {
    const busy = Object.assign(new Error('InfluxDB is not answering: try again'), { statusCode: 503 });
    expect(errorAnswer(busy)).toEqual({
      status: 503,
      body: { error: 'unavailable', message: 'InfluxDB is not answering: try again' },
    });
  });
});
