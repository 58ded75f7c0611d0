// The city's zone over the API: GET /api/city for clients that render times, and an indicator at 0 that
// says why (L1.2.2: how many routes have a bus in service, and the simulated buses' local hours).
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUS_SERVICE_HOURS } from '../../edge/behaviour.js';
import { CityEngine } from '../../engine/city-engine.js';
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
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  const store = await RegistryStore.open(tempDir());
  const { inventory } = await loadInventoryDir(TOWN);
  store.upsert({ ...inventory, city: { ...inventory.city, timeZone: 'America/Los_Angeles' } });
  const registry = new Registry(store, store.credentials());
  token = ensureAdminToken(registry.credentials, '')!;
  // No bus has sent a forecast: L1.2.2 reads 0 of the town's 2 routes.
  const engine = new CityEngine(registry.inventory, buildCatalogue(LIVE_CATALOGUE));
  engine.advanceTo(Date.parse('2026-01-05T10:00:00Z'));
  app = await buildApi({
    registry,
    indicators: { engine: () => engine, latest: () => undefined },
    metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 3 }),
    health: {},
    simulatedBusHours: BUS_SERVICE_HOURS.text,
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

const read = (path: string) => app.inject({ url: path, headers: { authorization: `Bearer ${token}` } });
const get = async (path: string) => {
  const r = await read(path);
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
};

describe('the city zone over the API', () => {
  it('names the city, its zone, its clock and districts at GET /api/city', async () => {
    const r = await get('/api/city');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'Fixture Town',
      timeZone: 'America/Los_Angeles',
      timeZoneDeclared: true,
      simulatedBusHours: '05:00–24:00',
    });
    expect(r.body.districts).toEqual(expect.arrayContaining(['centre', 'north']));
    expect(r.body.localTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d P[SD]T$/);
  });

  it('says why L1.2.2 reads 0: how many routes have a bus in service, and the local service hours', async () => {
    const rows = (await read('/api/indicators')).json() as {
      id: string;
      scope: string;
      value: number | null;
      why?: string;
    }[];
    const l122 = rows.find((r) => r.id === 'L1.2.2' && r.scope === 'city');
    expect(l122?.value).toBe(0);
    expect(l122?.why).toBe(
      '0 of 2 routes have a bus in service (service hours 05:00–24:00 America/Los_Angeles)',
    );
    const north = rows.find((r) => r.id === 'L1.2.2' && r.scope === 'north');
    expect(north?.why).toBe(
      '0 of 1 routes have a bus in service (service hours 05:00–24:00 America/Los_Angeles)',
    );
    // A value above 0 needs no excuse.
    expect(rows.filter((r) => r.value !== null && r.value > 0 && r.why !== undefined)).toEqual([]);
    const one = await get('/api/indicators/L1.2.2');
    expect(one.body.why).toBe(l122?.why);
  });
});
