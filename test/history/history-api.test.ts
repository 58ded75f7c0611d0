// The history API, called in process (fastify's inject): defaults, time and duration formats, and the 400/404 answers.
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndicatorPoint } from '../../engine/sinks/points.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { bucketCount, defaultEvery, historyPlugin, parseDuration, parseTime } from '../../http/history.js';
import { tempDir } from '../support/tmp.js';

const MIN = 60_000;
const DAY = 86_400_000;
// Two days ago at midnight UTC: within raw retention of the store, which runs on the real clock.
const T0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
const JAN10 = Date.parse('2026-01-10T00:00:00Z');
const iso = (t: number) => new Date(t).toISOString();
const point = (ts: number, value: number, scope = 'city'): IndicatorPoint => ({
  kind: 'indicator',
  id: 'cctv-coverage',
  scope,
  ts,
  value,
  numerator: value,
  denominator: 100,
  means: {},
});

let app: FastifyInstance;
let history: SqliteHistory;
// Recent points, so that the default range (the last 24 h) holds them.
const recent = Math.floor(Date.now() / (5 * MIN)) * 5 * MIN - 60 * MIN;

beforeAll(async () => {
  history = new SqliteHistory(tempDir(), { now: () => Date.now() });
  history.write([
    point(T0 + 10_000, 10),
    point(T0 + 50_000, 20),
    point(T0 + 3 * MIN, 60),
    point(T0 + 10_000, 80, 'north'),
    point(recent + 1000, 40),
    point(recent + 2000, 50),
  ]);
  await history.flush();
  app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(historyPlugin, {
    reader: history,
    knownIndicator: (id) => id === 'cctv-coverage',
    knownScope: (scope) => scope === 'city' || scope === 'north',
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await history.close();
});

const get = async (path: string) => {
  const res = await app.inject(path);
  return { status: res.statusCode, body: res.json() as unknown };
};
const url = (q: string) => `/api/indicators/cctv-coverage/history?${q}`;

describe('GET /api/indicators/:id/history', () => {
  it('answers bucketed means for the city by default, RFC 3339 in and out', async () => {
    // T0 + 1 h written as 02:00 at +01:00
    const to = `${iso(T0).slice(0, 10)}T02:00:00%2B01:00`;
    const ok = await get(url(`from=${iso(T0)}&to=${to}&every=2m`));
    expect(ok).toEqual({
      status: 200,
      body: [
        { ts: iso(T0), value: 15 },
        { ts: iso(T0 + 2 * MIN), value: 60 },
      ],
    });
  });

  it('takes epoch ms and a scope', async () => {
    const r = await get(url(`scope=north&from=${T0}&to=${T0 + MIN}&every=30s`));
    expect(r).toEqual({ status: 200, body: [{ ts: iso(T0), value: 80 }] });
  });

  it('defaults to the last 24 h in 5-minute buckets', async () => {
    const r = await get(url(''));
    expect(r).toEqual({ status: 200, body: [{ ts: iso(recent), value: 45 }] });
  });

  it.each([
    ['from=yesterday', /from 'yesterday' is not a time: give RFC 3339 or epoch ms/],
    ['to=2026-01-10', /to '2026-01-10' is not a time/],
    [`from=${T0}&to=${T0}`, /from must be before to/],
    [`from=${T0}&to=${T0 + MIN}&every=5 minutes`, /every '5 minutes' is not a duration: .* like 30s, 5m/],
    [`from=${T0}&to=${T0 + MIN}&every=0s`, /not a duration/],
    [
      `from=${T0}&to=${T0 + 86_400_000}&every=1s`,
      /86400 buckets is more than 10000: ask for every=10s or more/,
    ],
  ])('answers 400 with the fix for %s', async (q, message) => {
    const r = await get(url(q));
    expect(r).toEqual({
      status: 400,
      body: { error: 'bad-request', message: expect.stringMatching(message) },
    });
  });

  it('answers 404 for an unknown indicator or scope', async () => {
    expect(await get('/api/indicators/nope/history')).toEqual({
      status: 404,
      body: { error: 'not-found', message: "no indicator 'nope'" },
    });
    expect(await get(url('scope=atlantis'))).toEqual({
      status: 404,
      body: { error: 'not-found', message: "no scope 'atlantis' (city or a district)" },
    });
  });
});

describe('query parsing', () => {
  it('reads durations and times', () => {
    expect([parseDuration('500ms'), parseDuration('30s'), parseDuration('5m'), parseDuration('1h')]).toEqual([
      500, 30_000, 300_000, 3_600_000,
    ]);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('1.5h')).toBeUndefined();
    expect(parseTime('2026-01-10T01:00:00+01:00')).toBe(JAN10);
    expect(parseTime('2026-01-10T00:00:00.250Z')).toBe(JAN10 + 250);
    expect(parseTime(String(T0))).toBe(T0);
    expect(parseTime('-5')).toBeUndefined();
  });

  it('picks a default step that keeps the answer under ~300 points', () => {
    expect(defaultEvery(86_400_000)).toBe(5 * MIN); // 288 buckets
    expect(defaultEvery(3_600_000)).toBe(15_000); // 240 buckets
    expect(defaultEvery(90 * DAY)).toBe(12 * 60 * MIN); // 180 buckets
    expect(defaultEvery(1000 * DAY)).toBe(4 * DAY); // 250 buckets
  });

  it('counts the epoch-aligned buckets a range touches', () => {
    expect(bucketCount(T0, T0 + 10 * MIN, 5 * MIN)).toBe(2);
    expect(bucketCount(T0 + 1, T0 + 10 * MIN + 1, 5 * MIN)).toBe(3);
  });
});
