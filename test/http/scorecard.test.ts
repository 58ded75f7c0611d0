// The scorecard API, called in process (fastify's inject): administrative inputs behind the admin token with per-input errors,
// history with superseded entries, roll-ups that say what is missing, maturity, composites and /report.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { ensureAdminToken } from '../../http/auth.js';
import { createMetrics } from '../../http/metrics.js';
import { buildApi } from '../../http/server.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { People } from '../../people/people.js';
import { SqlitePeople } from '../../people/sqlite-people.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { injectCall } from '../support/http.js';
import { personWithToken } from '../support/people.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
let app: FastifyInstance;
let token: string;
/** A viewer's personal token: the least a reader of the report needs. */
let viewerToken: string;
let people: People;
/** What the engine reports for the city: L2.1.1 live at 80, the other live indicators without data. */
const live = new Map<string, number | null>([
  ['L2.1.1', 80],
  ['L2.2.1.b1', 50],
]);

beforeAll(async () => {
  const store = await RegistryStore.open(tempDir());
  store.upsert((await loadInventoryDir(TOWN)).inventory);
  const registry = new Registry(store, store.credentials());
  token = ensureAdminToken(registry.credentials, '')!;
  const engine = new CityEngine(registry.inventory, buildCatalogue(LIVE_CATALOGUE));
  people = new People(await SqlitePeople.open(tempDir()));
  viewerToken = await personWithToken(people, 'reader', 'viewer');
  app = await buildApi({
    registry,
    people,
    indicators: { engine: () => engine, latest: () => undefined },
    metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 3 }),
    health: {},
    scorecard: {
      store: ScorecardStore.open(tempDir()),
      live: () => ({ values: live, note: 'the test engine' }),
    },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await people?.store.close();
});

const call = (method: string, path: string, body?: unknown, auth = true) =>
  injectCall(app, token, method, path, body, auth);
const entry = (indicator: string, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  indicator,
  period: '2026',
  inputs,
  source: 'City statistics office 2026 annual report',
  by: 'M. Jansen',
  ...extra,
});

describe('scorecard API', () => {
  it('lists the catalogue with each method and its inputs', async () => {
    const r = await call('GET', '/api/scorecard/indicators');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(52);
    const l111 = r.body.find((d: { id: string }) => d.id === 'L1.1.1');
    expect(l111.method.method).toBe('ratio');
    expect(l111.inputs.map((i: { name: string }) => i.name)).toEqual([
      'oneStopServices',
      'governmentServices',
    ]);
  });

  it('refuses an entry without the admin token', async () => {
    const r = await call('POST', '/api/scorecard/inputs', entry('L1.1.1', {}), false);
    expect(r.status).toBe(401);
  });

  it.each([
    [
      'numerator > denominator',
      entry('L1.1.1', { oneStopServices: 600, governmentServices: 520 }),
      'inputs.oneStopServices',
      'is 600, more than governmentServices (520): it counts part of that total, so check both figures',
    ],
    [
      'points outside the scheme',
      entry('L5.2.2', {
        socialMonitoringPoints: 40,
        recommendationServicePoints: 35,
        openDataActivityPoints: 10,
      }),
      'inputs.recommendationServicePoints',
      'must be from 0 to 30 points, got 35',
    ],
    [
      'unknown indicator',
      entry('L7.1.1', {}),
      'indicator',
      "unknown indicator 'L7.1.1': not in the ISO/IEC 30146 catalogue nor a composite index (see GET /api/scorecard/indicators)",
    ],
    [
      'live indicator',
      entry('L3.1.1', { monitoredPollutionSources: 1, keyPollutionSources: 2 }),
      'indicator',
      'L3.1.1 is a live indicator: its value comes from the engine (devices and inventory), not from administrative inputs',
    ],
    [
      'bad period',
      entry('L1.1.1', { oneStopServices: 1, governmentServices: 2 }, { period: '2026-Q0' }),
      'period',
      'must be a year or a quarter such as "2026" or "2026-Q3", got "2026-Q0"',
    ],
    [
      'missing source',
      entry('L1.1.1', { oneStopServices: 1, governmentServices: 2 }, { source: '' }),
      'source',
      'name where the figures come from, e.g. "City statistics office 2026 annual report"',
    ],
  ])('answers 400 with the input and what to fix: %s', async (_what, body, input, message) => {
    const r = await call('POST', '/api/scorecard/inputs', body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'bad-request',
      message: `${input}: ${message}`,
      errors: [{ input, message }],
    });
  });

  it('computes the value, refuses a second one without replace (409) and lists the superseded one', async () => {
    const first = await call(
      'POST',
      '/api/scorecard/inputs',
      entry('L1.1.1', { oneStopServices: 390, governmentServices: 520 }),
    );
    expect(first.status).toBe(201);
    expect(first.body.entry).toMatchObject({ indicator: 'L1.1.1', value: 75, current: true });
    const again = await call(
      'POST',
      '/api/scorecard/inputs',
      entry('L1.1.1', { oneStopServices: 416, governmentServices: 520 }, { by: 'A. Okafor' }),
    );
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(
      `L1.1.1 already has a value for 2026 entered by M. Jansen at ${first.body.entry.enteredAt}; send replace: true to supersede it`,
    );
    const replaced = await call(
      'POST',
      '/api/scorecard/inputs',
      entry('L1.1.1', { oneStopServices: 416, governmentServices: 520 }, { by: 'A. Okafor', replace: true }),
    );
    expect(replaced.status).toBe(201);
    expect(replaced.body.superseded).toMatchObject({
      value: 75,
      current: false,
      supersededBy: replaced.body.entry.entryId,
    });
    const history = await call('GET', '/api/scorecard/inputs?indicator=L1.1.1&period=2026');
    expect(
      history.body.map((e: { value: number; current: boolean; enteredBy: string }) => [
        e.value,
        e.enteredBy,
        e.current,
      ]),
    ).toEqual([
      [75, 'M. Jansen', false],
      [80, 'A. Okafor', true],
    ]);
  });

  it('rolls up with coverage and the missing parts, live values beside administrative ones', async () => {
    await call(
      'POST',
      '/api/scorecard/inputs',
      entry('L2.1.2', { pipeGalleryLengthM: 30, newRoadLengthM: 100 }),
    );
    const r = await call('GET', '/api/scorecard?period=2026');
    expect(r.status).toBe(200);
    expect(r.body.indicators).toHaveLength(52);
    const line = (id: string) => r.body.indicators.find((l: { id: string }) => l.id === id);
    expect(line('L2.1.1')).toMatchObject({ kind: 'live', value: 80, source: 'live', period: '2026' });
    expect(line('L1.1.1')).toMatchObject({
      value: 80,
      source: 'City statistics office 2026 annual report',
      enteredBy: 'A. Okafor',
    });
    expect(line('L2.2.1')).toMatchObject({ kind: 'live', value: null, source: null });
    const node = (id: string) => r.body.rollUps.find((n: { id: string }) => n.id === id);
    expect(node('L2.1')).toMatchObject({ value: 55, coverage: 1, missing: [] });
    expect(node('L2.2')).toMatchObject({ value: null, coverage: 0, missing: ['L2.2.1', 'L2.2.2', 'L2.2.3'] });
    // L2 = mean of its groups that have values (L2.1 only); coverage: half of its two groups' weight.
    expect(node('L2')).toMatchObject({ value: 55, coverage: 0.5 });
    expect(node('L1.1')).toMatchObject({
      value: 80,
      coverage: 0.25,
      missing: ['L1.1.2', 'L1.1.3', 'L1.1.4'],
    });
    expect(r.body.maturity.firstLevel.find((l: { id: string }) => l.id === 'L2')).toMatchObject({
      score: 55,
      level: 3,
      levelName: 'competent',
    });
    expect(r.body.maturity.overall.level).not.toBeNull();
    expect(r.body.composites[0]).toMatchObject({
      id: 'citizen-empowerment',
      value: null,
      missing: ['participation', 'feedback', 'access'],
    });
  });

  it('applies weights and bands, compares self-assessments with evidence, and computes composites', async () => {
    expect((await call('PUT', '/api/scorecard/weights', { 'L2.1.1': 3 })).status).toBe(200);
    expect((await call('PUT', '/api/scorecard/maturity-bands', [10, 30, 50, 90])).body).toEqual([
      10, 30, 50, 90,
    ]);
    const bad = await call('PUT', '/api/scorecard/maturity-bands', [10, 30, 20, 90]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { input: 'bands.2', message: 'cut points must rise: 20 does not come after 30' },
    ]);
    const sa = await call('POST', '/api/scorecard/self-assessments', {
      component: 'physical-asset-management',
      level: 5,
      by: 'P. Haddad',
      at: '2026-11-20T10:00:00Z',
      evidence: ['L2.1.1'],
    });
    expect(sa.status).toBe(201);
    const values = await call('POST', '/api/scorecard/composites/citizen-empowerment/values', {
      period: '2026-Q4',
      values: { participation: 70, feedback: 80, access: 90 },
      source: 'Citizen participation office survey',
      by: 'M. Jansen',
    });
    expect(values.status).toBe(201);
    const r = await call('GET', '/api/scorecard?period=2026');
    // L2.1 = (3·80 + 1·30) / 4
    expect(r.body.rollUps.find((n: { id: string }) => n.id === 'L2.1').value).toBe(67.5);
    expect(r.body.maturity.selfAssessments).toEqual([
      expect.objectContaining({
        component: 'physical-asset-management',
        level: 5,
        impliedLevel: 4,
        verdict: 'self-higher',
      }),
    ]);
    expect(r.body.composites[0]).toMatchObject({
      value: 80,
      meetsTarget: true,
      period: '2026-Q4',
      target: 'above 75',
    });
    const unknown = await call('POST', '/api/scorecard/composites/nope/values', {
      period: '2026',
      values: {},
      source: 's',
      by: 'b',
    });
    expect(unknown.status).toBe(404);
  });

  it('serves the HTML report to a viewer, and refuses it without a token', async () => {
    const refused = await call('GET', '/report?period=2026', undefined, false);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/needs a viewer/);
    const r = await injectCall(app, viewerToken, 'GET', '/report?period=2026');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/html/);
    expect(r.text).toContain('id="overall-score"');
    expect(r.text).toContain('data-indicator="L6.1.1"');
    expect(r.text).toContain('rated higher than the evidence');
  });

  it('documents the scorecard routes in OpenAPI', async () => {
    const r = await call('GET', '/docs/json');
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/scorecard',
        '/api/scorecard/inputs',
        '/api/scorecard/composites/{id}',
        '/report',
      ]),
    );
  });
});
