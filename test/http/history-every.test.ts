// GET /api/indicators/{id}/history refuses a bucket width its store cannot answer, naming the ones it can:
// the embedded store keeps raw points for 7 days and only 1-minute means before, so `every=10s` over an
// older range would come back as 1-minute buckets without a word.
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndicatorPoint } from '../../engine/sinks/points.js';
import { SqliteHistory } from '../../engine/sinks/sqlite-history.js';
import { historyPlugin } from '../../http/history.js';
import { tempDir } from '../support/tmp.js';

const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.parse('2026-03-20T12:00:00Z');
const OLD = NOW - 10 * DAY; // past the 7 days of raw points
const RECENT = NOW - DAY;
const iso = (t: number) => new Date(t).toISOString();
const point = (ts: number, value: number): IndicatorPoint => ({
  kind: 'indicator',
  id: 'L2.1.1',
  scope: 'city',
  ts,
  value,
  numerator: value,
  denominator: 100,
  means: {},
});

let app: FastifyInstance;
let history: SqliteHistory;

beforeAll(async () => {
  history = new SqliteHistory(tempDir(), { now: () => NOW });
  // Two points 20 s apart in each of two minutes, long ago and yesterday.
  history.write(
    [OLD, RECENT].flatMap((t) => [
      point(t, 10),
      point(t + 20_000, 30),
      point(t + MIN, 50),
      point(t + MIN + 20_000, 70),
    ]),
  );
  await history.flush();
  app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(historyPlugin, {
    reader: history,
    knownIndicator: (id) => id === 'L2.1.1',
    knownScope: (scope) => scope === 'city',
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await history.close();
});

const get = async (from: number, every: string) => {
  const res = await app.inject(
    `/api/indicators/L2.1.1/history?from=${from}&to=${from + 2 * MIN}&every=${every}`,
  );
  // biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
  return { status: res.statusCode, body: res.json() as any };
};

describe('history bucket widths', () => {
  it('refuses every=10s before raw retention with a 400 naming the widths it can answer', async () => {
    expect(await get(OLD, '10s')).toEqual({
      status: 400,
      body: {
        error: 'bad-request',
        message:
          `every '10s' is not supported from ${iso(OLD)}: the embedded store keeps only 1-minute means of what ` +
          'is older than 7 days; give a whole number of minutes, like 1m, 10m, 1h, 1d, or a later from',
      },
    });
    expect((await get(OLD, '90s')).status).toBe(400);
    expect((await get(OLD, '1500ms')).status).toBe(400);
  });

  it('answers whole minutes from the 1-minute means', async () => {
    expect(await get(OLD, '1m')).toEqual({
      status: 200,
      body: [
        { ts: iso(OLD), value: 20 },
        { ts: iso(OLD + MIN), value: 60 },
      ],
    });
    expect((await get(OLD, '2m')).body).toEqual([{ ts: iso(OLD), value: 40 }]);
  });

  it('answers any width within raw retention, 10 s included', async () => {
    expect(await get(RECENT, '10s')).toEqual({
      status: 200,
      body: [
        { ts: iso(RECENT), value: 10 },
        { ts: iso(RECENT + 20_000), value: 30 },
        { ts: iso(RECENT + MIN), value: 50 },
        { ts: iso(RECENT + MIN + 20_000), value: 70 },
      ],
    });
  });

  it('names the units when every is not a duration', async () => {
    const r = await get(RECENT, '10x');
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      "every '10x' is not a duration: give a whole number and one of ms, s, m, h, d, like 30s, 5m, 1h or 1d",
    );
  });
});
