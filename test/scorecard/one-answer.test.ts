// One period, one answer: `/report?period=`, `/api/scorecard?period=` and `citygauge report --period` read
// the same data dir's history by the same rule (scorecard/live-history.ts), in the city's own calendar.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import type { IndicatorPoint } from '../../engine/sinks/points.js';
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
import { liveFromReader } from '../../scorecard/live-history.js';
import { isPeriod, parsePeriod } from '../../scorecard/period.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const LA = 'America/Los_Angeles';

const point = (id: string, iso: string, value: number): IndicatorPoint => ({
  kind: 'indicator',
  id,
  scope: 'city',
  ts: Date.parse(iso),
  value,
  numerator: null,
  denominator: null,
  means: {},
});

// L2.1.1: the first and last points sit where the Los Angeles and UTC quarters disagree.
// In Los Angeles 2026-Q1 holds 70, 80 and 90 (mean 80); in UTC it would hold 10, 70 and 80.
// L1.2.2: two points in one hour make one hourly mean (50), then 20: mean 35.
const HISTORY = [
  point('L2.1.1', '2026-01-01T04:00:00Z', 10), // 2025-12-31 20:00 PST
  point('L2.1.1', '2026-02-10T12:00:00Z', 70),
  point('L2.1.1', '2026-03-20T12:00:00Z', 80), // after the change to PDT
  point('L2.1.1', '2026-04-01T03:00:00Z', 90), // 2026-03-31 20:00 PDT
  point('L1.2.2', '2026-02-01T10:00:00Z', 40),
  point('L1.2.2', '2026-02-01T10:30:00Z', 60),
  point('L1.2.2', '2026-03-01T00:00:00Z', 20),
];

let dataDir: string;
let app: FastifyInstance;
let base: string;
let history: SqliteHistory;
let token: string;

beforeAll(async () => {
  dataDir = tempDir();
  const store = await RegistryStore.open(dataDir);
  const { inventory } = await loadInventoryDir(TOWN);
  store.upsert({ ...inventory, city: { ...inventory.city, timeZone: LA } });
  const registry = new Registry(store, store.credentials());
  token = ensureAdminToken(registry.credentials, '')!;
  const writer = new SqliteHistory(dataDir);
  writer.write(HISTORY);
  await writer.close();
  // Kept past its usual retention (90 days of minute means), which would otherwise prune 2026-Q1 away
  // once the calendar has moved on.
  const forever = Number.MAX_SAFE_INTEGER / 2;
  history = new SqliteHistory(dataDir, { rawRetentionMs: forever, minuteRetentionMs: forever });
  const scorecard = ScorecardStore.open(dataDir);
  const engine = new CityEngine(registry.inventory, buildCatalogue(LIVE_CATALOGUE));
  // As `citygauge start` wires it.
  app = await buildApi({
    registry,
    indicators: { engine: () => engine, latest: () => undefined },
    metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 3 }),
    health: {},
    scorecard: {
      store: scorecard,
      live: (period) => liveFromReader(history, 'the embedded store', period, scorecard.catalogue),
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await history?.close();
});

interface CardJson {
  indicators: { id: string; value: number | null; coverage: number }[];
  rollUps: { id: string; value: number | null }[];
}

/** `kind,id,value` of every CSV row, as the report writes them. */
function csvValues(text: string): Map<string, number | null> {
  const rows = text.trim().split('\r\n').slice(1);
  const out = new Map<string, number | null>();
  for (const r of rows) {
    const cells = r.split(',');
    // name may be quoted and hold commas: id is the 2nd cell, value the 5th counted from the end of the name.
    const value = cells[cells.length - 6];
    out.set(`${cells[0]} ${cells[1]}`, value === '' ? null : Number(value));
  }
  return out;
}

const overallOf = (html: string) => /id="overall-score"[^>]*>([^<]+)</.exec(html)?.[1];

describe('one period, one answer', () => {
  it("gives the API, the /report page and citygauge report the same live values for the city's quarter", async () => {
    const read = (path: string) => fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    const api = (await (await read('/api/scorecard?period=2026-Q1')).json()) as CardJson;
    const page = await (await read('/report?period=2026-Q1')).text();
    const out = join(dataDir, 'q1.html');
    const r = await runCli(['report', '--period', '2026-Q1', '--data-dir', dataDir, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const live = (id: string) => api.indicators.find((l) => l.id === id)?.value;
    expect(live('L2.1.1')).toBeCloseTo(80, 9);
    expect(live('L1.2.2')).toBeCloseTo(35, 9);
    // Coverage is the hours with history over the quarter's 2,159 (one lost to daylight saving), in both.
    const coverage = (id: string) => api.indicators.find((l) => l.id === id)?.coverage;
    expect(coverage('L2.1.1')).toBe(3 / 2159);
    expect(coverage('L1.2.2')).toBe(2 / 2159);
    const csvRow = readFileSync(join(dataDir, 'q1.csv'), 'utf8')
      .split('\r\n')
      .find((l) => l.startsWith('indicator,L2.1.1,'))!
      .split(',');
    expect(Number(csvRow[csvRow.length - 2])).toBeCloseTo(3 / 2159, 6);

    // Every indicator and every roll-up, to the CSV's six decimals.
    const cli = csvValues(readFileSync(join(dataDir, 'q1.csv'), 'utf8'));
    const round = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);
    const fromApi = new Map([
      ...api.indicators.map((l) => [`indicator ${l.id}`, round(l.value)] as const),
      ...api.rollUps.map((n) => [`rollup ${n.id}`, round(n.value)] as const),
    ]);
    expect(cli).toEqual(fromApi);
    expect(cli.get('rollup overall')).not.toBeNull();

    const cliPage = readFileSync(out, 'utf8');
    expect(overallOf(page)).toBe(overallOf(cliPage));
    expect(overallOf(page)).toBe(api.rollUps.find((n) => n.id === 'overall')?.value?.toFixed(1));
    // Both pages give the quarter's local bounds, daylight-saving change included.
    for (const html of [page, cliPage])
      expect(html).toContain('2026-Q1 runs from 2026-01-01 00:00 PST to 2026-04-01 00:00 PDT');
  });

  it('counts a period still running up to now, and nothing of a period not begun', async () => {
    const q1 = parsePeriod('2026-Q1', LA);
    if (!isPeriod(q1)) throw new Error(q1.message);
    const catalogue = ScorecardStore.inMemory().catalogue;
    // On 2026-03-01 01:00 PST the last L2.1.1 points have not happened yet: only 70 counts.
    const running = await liveFromReader(history, 'x', q1, catalogue, Date.parse('2026-03-01T09:00:00Z'));
    expect(running.values.get('L2.1.1')).toBe(70);
    expect(running.note).toContain('so far (the period is not over)');
    const early = await liveFromReader(history, 'x', q1, catalogue, Date.parse('2025-12-01T00:00:00Z'));
    expect(early.values.get('L2.1.1')).toBeUndefined();
  });
});
