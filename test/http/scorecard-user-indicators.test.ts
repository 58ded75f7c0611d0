// A city's own ISO/IEC 30146 indicators over the scorecard API: listed as user-defined, their inputs entered
// and checked like the standard's, and rolled up into their second-level group (L6.2) and first-level L6.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { ensureAdminToken } from '../../http/auth.js';
import { createMetrics } from '../../http/metrics.js';
import { buildApi } from '../../http/server.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { ScorecardStore } from '../../scorecard/admin-inputs.js';
import { injectCall } from '../support/http.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
let app: FastifyInstance;
let token: string;

const own = (id: string, name: string) => ({
  id,
  name,
  description: `the city's own: (${name} / critical systems) × 100`,
  section: '7.6.2',
  secondLevel: 'L6.2',
  source: 'administrative',
  method: {
    method: 'ratio',
    numerator: { name: 'systemsCovered', description: `critical systems with ${name}` },
    denominator: { name: 'criticalSystems', description: 'critical city ICT systems' },
  },
});

beforeAll(async () => {
  const store = await RegistryStore.open(tempDir());
  store.upsert((await loadInventoryDir(TOWN)).inventory);
  const registry = new Registry(store, store.credentials());
  token = ensureAdminToken(registry.credentials, '')!;
  const engine = new CityEngine(registry.inventory, buildCatalogue(LIVE_CATALOGUE));
  const scorecard = ScorecardStore.open(tempDir());
  const set = scorecard.setUserIndicators([own('L6.2.1', 'tested backups'), own('L6.2.2', 'patched')]);
  if (!set.ok) throw new Error(JSON.stringify(set.errors));
  app = await buildApi({
    registry,
    indicators: { engine: () => engine, latest: () => undefined },
    metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 3 }),
    health: {},
    scorecard: { store: scorecard, live: () => ({ values: new Map(), note: 'no live data' }) },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

const call = (method: string, path: string, body?: unknown) => injectCall(app, token, method, path, body);
const entry = (indicator: string, inputs: Record<string, unknown>) => ({
  indicator,
  period: '2026',
  inputs,
  source: 'Chief information security office 2026',
  by: 'A. Okafor',
});

describe('user-defined indicators in the scorecard API', () => {
  it('lists them after the standard ones, marked userDefined', async () => {
    const r = await call('GET', '/api/scorecard/indicators');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(54);
    expect(r.body.find((d: { id: string }) => d.id === 'L1.1.1').userDefined).toBe(false);
    expect(r.body.slice(52)).toEqual([
      expect.objectContaining({ id: 'L6.2.1', secondLevel: 'L6.2', userDefined: true }),
      expect.objectContaining({ id: 'L6.2.2', userDefined: true }),
    ]);
    expect(r.body[52].inputs.map((i: { name: string }) => i.name)).toEqual([
      'systemsCovered',
      'criticalSystems',
    ]);
  });

  it('checks their inputs and rolls them up into L6.2 and L6', async () => {
    const bad = await call(
      'POST',
      '/api/scorecard/inputs',
      entry('L6.2.1', { systemsCovered: 50, criticalSystems: 40 }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].input).toBe('inputs.systemsCovered');
    expect(
      (await call('POST', '/api/scorecard/inputs', entry('L6.1.1', { mechanism: 'official-one' }))).status,
    ).toBe(201);
    const ok = await call(
      'POST',
      '/api/scorecard/inputs',
      entry('L6.2.1', { systemsCovered: 9, criticalSystems: 12 }),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.entry.value).toBe(75);

    const r = await call('GET', '/api/scorecard?period=2026');
    const node = (id: string) => r.body.rollUps.find((n: { id: string }) => n.id === id);
    expect(r.body.indicators.find((l: { id: string }) => l.id === 'L6.2.1')).toMatchObject({
      value: 75,
      userDefined: true,
    });
    // L6.2: only L6.2.1 has a value (9/12 = 75), half of its weight present.
    expect(node('L6.2')).toMatchObject({ value: 75, coverage: 0.5, missing: ['L6.2.2'] });
    // L6 = mean of L6.1 (L6.1.1 official-one: 30) and L6.2 (75) = 52.5; coverage (1 + 0.5) / 2.
    expect(node('L6')).toMatchObject({ value: 52.5, coverage: 0.75, parts: ['L6.1', 'L6.2'] });

    expect((await call('PUT', '/api/scorecard/weights', { 'L6.2': 3 })).status).toBe(200);
    const weighted = await call('GET', '/api/scorecard?period=2026');
    // (1·30 + 3·75) / 4
    expect(weighted.body.rollUps.find((n: { id: string }) => n.id === 'L6').value).toBe(63.75);
  });

  it('marks them user-defined in the HTML report', async () => {
    const r = await call('GET', '/report?period=2026');
    expect(r.text).toMatch(/data-indicator="L6\.2\.1" data-user-defined>.*\(user-defined\)/);
  });
});
