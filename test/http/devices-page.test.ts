// GET /api/devices a page at a time over the 2,970-device sample city: keyset pages by id that visit
// every device exactly once, filters by kind, district and liveness, and 400s that name what is allowed.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityEngine } from '../../engine/city-engine.js';
import { Decoded } from '../../engine/inbound.js';
import { createMetrics } from '../../http/metrics.js';
import { buildApi } from '../../http/server.js';
import { DEVICE_KINDS } from '../../registry/inventory.js';
import type { Registry } from '../../registry/registry-service.js';
import { injectCall } from '../support/http.js';
import { openRegistryCity } from '../support/registry-city.js';

const SAMPLE_CITY_DIR = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
let app: FastifyInstance;
let token: string;
let registry: Registry;
let engine: () => CityEngine;
const ONLINE = ['gw-01', 'gw-02', 'pm-0001', 'sen-001'];

beforeAll(async () => {
  ({ registry, token, engine } = await openRegistryCity(SAMPLE_CITY_DIR));
  const t = Date.now();
  for (const id of ONLINE) {
    const kind = registry.inventory.devices.get(id)?.kind;
    if (!kind) throw new Error(`the sample city has no device ${id}`);
    engine().ingest({
      receivedAt: t,
      topic: `city/${kind}/${id}/status`,
      payload: new Decoded({ state: 'online' }, 20),
    });
  }
  app = await buildApi({
    registry,
    indicators: { engine, latest: () => undefined },
    deviceStatus: { engine, recent: { of: () => [] } as never },
    metrics: createMetrics({ engine, evaluationLagMs: () => 0 }),
    health: {},
  });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
});

const call = (method: string, path: string, body?: unknown) => injectCall(app, token, method, path, body);

/** Every page from the first, following `next`; fails past 10,000 pages (a cursor that never ends). */
async function walk(query: string): Promise<{ ids: string[]; pages: number; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r = await call(
      'GET',
      `/api/devices?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(r.status, r.text).toBe(200);
    ids.push(...r.body.devices.map((d: { id: string }) => d.id));
    totals.push(r.body.total);
    cursor = r.body.next;
    if (++pages > 10_000) throw new Error(`the cursor of ${query} never ends`);
  } while (cursor !== null);
  return { ids, pages, totals };
}

describe('GET /api/devices, paged', () => {
  it('walks the 2,970 devices of the sample city a page at a time, each exactly once, in id order', async () => {
    const registered = [...registry.inventory.devices.keys()];
    expect(registered).toHaveLength(2970);
    const { ids, pages, totals } = await walk('limit=1000');
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...registered].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(totals)).toEqual(new Set([2970]));
  });

  it('answers ?limit=2 with two devices and a cursor to the next page; 100 by default', async () => {
    const two = await call('GET', '/api/devices?limit=2');
    expect(two.body.devices).toHaveLength(2);
    expect(two.body.next).toEqual(expect.any(String));
    const after = await call('GET', `/api/devices?limit=2&cursor=${two.body.next}`);
    expect(after.body.devices[0].id > two.body.devices[1].id).toBe(true);
    expect((await call('GET', '/api/devices')).body.devices).toHaveLength(100);
  });

  it('keeps its place when devices are added and removed between pages', async () => {
    const first = await call('GET', '/api/devices?limit=50');
    const seen: string[] = first.body.devices.map((d: { id: string }) => d.id);
    const expectedNext = (await call('GET', '/api/devices?limit=51')).body.devices[50].id;
    // Removing a device already listed, and adding one that sorts before the cursor, shift nothing.
    expect((await call('DELETE', `/api/devices/${seen[10]}`)).status).toBe(204);
    expect(
      (await call('POST', '/api/devices', { id: '0-new', kind: 'sensor', district: 'harbor' })).status,
    ).toBe(201);
    const second = await call('GET', `/api/devices?limit=50&cursor=${first.body.next}`);
    expect(second.body.devices[0].id).toBe(expectedNext);
    expect((await call('DELETE', '/api/devices/0-new')).status).toBe(204);
  });

  it('filters by kind, district and liveness, walking the filtered set exactly once', async () => {
    const sensors = await walk('kind=sensor&limit=40');
    expect(sensors.ids).toHaveLength(130);
    expect(new Set(sensors.totals)).toEqual(new Set([130]));
    expect(sensors.ids.every((id) => registry.inventory.devices.get(id)?.kind === 'sensor')).toBe(true);

    const harbor = await walk('district=harbor&limit=200');
    const inHarbor = [...registry.inventory.devices.values()].filter((d) => d.district === 'harbor');
    expect(harbor.ids.sort()).toEqual(inHarbor.map((d) => d.id).sort());

    const gateways = await walk('kind=cctv-gateway&district=old-town');
    expect(gateways.ids.length).toBeGreaterThan(0);
    expect(gateways.ids).toContain('gw-01');

    const online = await walk('down=false');
    expect(online.ids.sort()).toEqual([...ONLINE].sort());
    const down = await call('GET', '/api/devices?down=true&limit=1');
    expect(down.body.total).toBe(registry.inventory.devices.size - ONLINE.length);
    expect(down.body.total).toBe((await call('GET', '/api/devices/down')).body.count);
  });

  it.each([
    ['limit=0', 'limit is a whole number from 1 to 1000'],
    ['limit=1001', 'limit is a whole number from 1 to 1000'],
    ['limit=abc', 'limit is a whole number from 1 to 1000'],
    ['limit=2.5', 'limit is a whole number from 1 to 1000'],
    ['kind=camera', `kind is one of ${DEVICE_KINDS.join(', ')}`],
    ['down=maybe', 'down is true or false'],
    [
      'district=atlantis',
      "unknown district 'atlantis' (known: eastfield, harbor, northgate, old-town, riverside, university)",
    ],
    ['cursor=not!a*cursor', "cursor 'not!a*cursor' is not one this API gave"],
  ])('refuses %s with a 400 naming what is allowed', async (query, words) => {
    const r = await call('GET', `/api/devices?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('bad-request');
    expect(r.body.message).toContain(words);
  });

  it('documents the paging in the OpenAPI document', async () => {
    const doc = (await call('GET', '/docs/json')).body;
    const get = doc.paths['/api/devices'].get;
    expect(get.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'cursor',
      'district',
      'down',
      'kind',
      'limit',
    ]);
    const ok = get.responses['200'].content['application/json'].schema;
    expect(Object.keys(ok.properties).sort()).toEqual(['devices', 'next', 'total']);
  });
});
