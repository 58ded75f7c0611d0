// Property test of every HTTP route (docs/contract.md §5) with hostile paths, queries, headers, cookies and bodies,
// in process through `app.inject` against the whole API on real stores (test/support/full-api.ts: registry,
// history, alert log, scorecard, people). Routes are enumerated as they are added, so a new route is fuzzed
// without touching this file. No answer is a 500, and every 4xx is the one error shape `{"error","message"}`.
import fc from 'fast-check';
import type { HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FullApi, fullApi } from '../support/full-api.js';
import { personWithToken } from '../support/people.js';
import { deeplyNested, mutated, oddJsonValue, oddKey } from './arbitraries.js';
import { fuzzParams, fuzzTimeout } from './runs.js';

let api: FullApi;
/** An operator's personal token: a person who may read and acknowledge, and is refused the rest. */
let operatorToken: string;

beforeAll(async () => {
  api = await fullApi();
  operatorToken = await personWithToken(api.people, 'ops-1', 'operator');
});
afterAll(() => api?.close());

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
  { name: 'new-person', role: 'viewer' },
  { role: 'admin', disabled: true },
  { name: 'ops-1', expires: '30d', label: 'fuzz' },
  { name: 'ops-1', password: 'correct horse battery staple', next: '/docs' },
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

// The admin token reaches past every access check, so the routes' own code is fuzzed; a person's token
// goes through people/ instead; the rest are refused before the route.
const auth = fc.oneof(
  { weight: 4, arbitrary: fc.constant<'admin' | 'person' | 'none' | string>('admin') },
  { weight: 1, arbitrary: fc.constant('person') },
  { weight: 1, arbitrary: fc.constant('none') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'Bearer ',
      'Bearer wrong',
      'Basic YTpi',
      'bearer',
      `Bearer ${'x'.repeat(2000)}`,
      'Bearer cgt_0123456789abcdef_wrong',
      'Bearer cgt_',
    ),
  },
);
/** Session cookies no sign-in made: refused as nobody, never a 500. */
const cookie = fc.option(
  fc.oneof(
    fc.constantFrom(
      'cg_session=',
      'cg_session=x',
      'cg_session=%',
      'cg_session="',
      'a=b; cg_session=1; cg_session=2',
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((v) => `cg_session=${v}`),
  ),
  { nil: undefined },
);
/**
 * A wrong token counts against its address (http/attempt-limit.ts), which is then answered 429 for a
 * minute: the wrong ones come from another address than the admin's, so the admin stays let in.
 */
const ADMIN_ADDRESS = '127.0.0.1';
/** Routes the admin token got a success from. */
const reachedRoutes = new Set<string>();
const GUESSER_ADDRESS = '127.0.0.2';

describe('fuzzing every HTTP route', () => {
  it('found the routes to fuzz', () => {
    expect(api.routes.length).toBeGreaterThan(20);
    expect(api.routes).toContainEqual({ method: 'POST', url: '/api/devices' });
    expect(api.routes).toContainEqual({ method: 'POST', url: '/api/people' });
  });

  it(
    'answers any path, query, header and body with no 500, every 4xx in the one error shape',
    async () => {
      const request = fc.record({
        route: fc.constantFrom(...api.routes),
        params: fc.array(param, { minLength: 4, maxLength: 4 }),
        query,
        body,
        auth,
        cookie,
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ route, params, query, body, auth, cookie }) => {
          let i = 0;
          const path = route.url.replace(/:[A-Za-z]+|\*/g, () => params[i++ % params.length]);
          const url = query ? `${path}?${query}` : path;
          const headers: Record<string, string> = {};
          if (body.type !== undefined) headers['content-type'] = body.type;
          if (auth === 'admin') headers.authorization = `Bearer ${api.adminToken}`;
          else if (auth === 'person') headers.authorization = `Bearer ${operatorToken}`;
          else if (auth !== 'none') headers.authorization = auth;
          if (cookie !== undefined) headers.cookie = cookie;
          const guessing = auth !== 'admin' && auth !== 'person' && auth !== 'none';
          const res = await api.app.inject({
            method: route.method as HTTPMethods,
            url,
            headers,
            remoteAddress: guessing ? GUESSER_ADDRESS : ADMIN_ADDRESS,
            ...(body.payload !== undefined ? { payload: body.payload } : {}),
          });
          const where = `${route.method} ${url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          expect(res.statusCode, where).toBeLessThan(500);
          // The admin token is let in everywhere: the request reached the route's own code.
          if (auth === 'admin') expect([401, 429], where).not.toContain(res.statusCode);
          if (auth === 'admin' && res.statusCode < 400) reachedRoutes.add(`${route.method} ${route.url}`);
          // A page a person fills in (sign-in, new password) answers a mistake with the page again, in HTML.
          const page =
            !route.url.startsWith('/api/') && /^text\/html/.test(String(res.headers['content-type'] ?? ''));
          if (res.statusCode >= 400 && route.method !== 'HEAD' && page) {
            expect(res.body, where).toMatch(/^<!doctype html>[\s\S]*<\/html>\s*$/i);
          } else if (res.statusCode >= 400 && route.method !== 'HEAD') {
            // HEAD answers GET's headers without its body.
            expect(res.headers['content-type'], where).toMatch(/^application\/json/);
            const err = JSON.parse(res.body);
            // `{error, message}`, both text; the scorecard's 400s add a list of field `errors` beside them,
            // and an inventory upload that applied nothing its import report.
            const report =
              route.url === '/api/inventory' && res.statusCode === 422
                ? { applied: false, counts: expect.any(Object) }
                : {};
            expect(err, where).toEqual({
              error: expect.stringMatching(/^[a-z-]+$/),
              message: expect.stringMatching(/\S/),
              ...('errors' in err ? { errors: expect.any(Array) } : {}),
              ...report,
            });
          }
        }),
        fuzzParams(),
      );
      // Past the access check, the routes answered: most of them, with a success at least once.
      expect(reachedRoutes.size, [...reachedRoutes].join('\n')).toBeGreaterThan(api.routes.length / 2);
    },
    fuzzTimeout(15_000),
  );
});
