// The HTTP API, called in process (fastify's inject): registry writes behind the admin token, indicators with their gap,
// health, metrics and the OpenAPI document.

import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CityEngine } from '../../engine/city-engine.js';
import { Decoded } from '../../engine/inbound.js';
import { createMetrics } from '../../http/metrics.js';
import { buildApi } from '../../http/server.js';
import type { Registry } from '../../registry/registry-service.js';
import { injectCall } from '../support/http.js';
import { openRegistryCity } from '../support/registry-city.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));

let app: FastifyInstance;
let token: string;
let registry: Registry;
let engine: () => CityEngine;

beforeAll(async () => {
  ({ registry, token, engine } = await openRegistryCity(TOWN));
  const t = Date.parse('2026-01-05T08:00:00Z');
  for (const cam of ['gw-1', 'cam-1', 'cam-3']) {
    engine().ingest({
      receivedAt: t,
      topic: `city/${cam.startsWith('gw') ? 'cctv-gateway' : 'cctv'}/${cam}/status`,
      payload: new Decoded({ state: 'online' }, 20),
    });
  }
  engine().ingest({
    receivedAt: t,
    topic: 'city/cctv/cam-2/status',
    payload: new Decoded({ state: 'online', video: 'lost' }, 30),
  });
  engine().ingest({ receivedAt: t, topic: 'city/cctv', payload: '{}' });
  app = await buildApi({
    registry,
    indicators: { engine, latest: () => undefined },
    metrics: createMetrics({ engine, evaluationLagMs: () => 3 }),
    health: { engine: () => ({ ok: true }), store: () => ({ ok: true }) },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

const call = (method: string, path: string, body?: unknown, auth = true) =>
  injectCall(app, token, method, path, body, auth);

interface OpenApiSchema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
interface OpenApi {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> }> }>
  >;
  components: { schemas: Record<string, unknown> };
}

describe('HTTP API', () => {
  it('refuses writes without the admin token, with a JSON error naming the fix', async () => {
    const r = await call('POST', '/api/devices', { id: 'cam-9', kind: 'cctv', assetId: 'plaza' }, false);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({
      error: 'unauthorized',
      message: expect.stringMatching(/Authorization: Bearer/),
    });
  });

  it('registers a device, shows its secret once, and the engine counts it at once', async () => {
    const r = await call('POST', '/api/devices', { id: 'cam-9', kind: 'cctv', assetId: 'plaza', hd: true });
    expect(r.status).toBe(201);
    expect(r.body.id).toBe('cam-9');
    expect(registry.credentials.verify('cam-9', r.body.secret)).toBe('device');
    expect((await call('GET', '/api/devices/cam-9')).body).toMatchObject({
      kind: 'cctv',
      assetId: 'plaza',
      hd: true,
      expectedIntervalS: 30,
    });
    const b4 = (await call('GET', '/api/indicators/L2.2.1.b4')).body;
    expect(b4).toMatchObject({ numerator: 2, denominator: 4 });
  });

  it('answers 400 with the row rule broken, 409 for a duplicate and 404 for an unknown device', async () => {
    const bad = await call('POST', '/api/devices', { id: 'cam-x', kind: 'cctv', assetId: 'mall' });
    expect(bad).toMatchObject({
      status: 400,
      body: { error: 'bad-request', message: expect.stringMatching(/asset_id: no area 'mall'/) },
    });
    const kind = await call('POST', '/api/devices', { id: 'cam-y', kind: 'camera' });
    expect(kind.status).toBe(400);
    expect((await call('POST', '/api/devices', { id: 'cam-1', kind: 'cctv' })).status).toBe(409);
    expect((await call('GET', '/api/devices/nope')).status).toBe(404);
  });

  it('gives map positions of the devices with coordinates, thinned evenly to at most max', async () => {
    for (const [id, lat, lon] of [
      ['sen-7', 37.1, -121.1],
      ['sen-8', 37.2, -121.2],
      ['sen-9', 37.3, -121.3],
    ] as const)
      expect(
        (await call('POST', '/api/devices', { id, kind: 'sensor', assetId: 'smelter', lat, lon })).status,
      ).toBe(201);
    const all = (await call('GET', '/api/devices/positions')).body;
    expect(all).toMatchObject({ placed: 3, sampled: false });
    expect(all.devices).toEqual([
      ['sen-7', 37.1, -121.1],
      ['sen-8', 37.2, -121.2],
      ['sen-9', 37.3, -121.3],
    ]);
    expect(all.total).toBe((await call('GET', '/api/devices')).body.total);
    const two = (await call('GET', '/api/devices/positions?max=2')).body;
    expect(two).toMatchObject({ placed: 3, sampled: true });
    expect(two.devices.map((d: string[]) => d[0])).toEqual(['sen-7', 'sen-8']);
    expect((await call('GET', '/api/devices/positions?max=0')).status).toBe(400);
    for (const id of ['sen-7', 'sen-8', 'sen-9']) await call('DELETE', `/api/devices/${id}`);
  });

  it('updates and deletes devices, but not a gateway that still has cameras', async () => {
    expect((await call('PATCH', '/api/devices/cam-9', { hd: false })).body).toMatchObject({ hd: false });
    expect((await call('DELETE', '/api/devices/gw-1')).status).toBe(409);
    expect((await call('DELETE', '/api/devices/cam-9')).status).toBe(204);
    expect((await call('GET', '/api/devices/cam-9')).status).toBe(404);
  });

  it('rotates a secret: the new one works, the old one does not', async () => {
    const first = (await call('POST', '/api/devices/cam-4/secret')).body.secret;
    const second = (await call('POST', '/api/devices/cam-4/secret')).body.secret;
    expect(registry.credentials.verify('cam-4', first)).toBeUndefined();
    expect(registry.credentials.verify('cam-4', second)).toBe('device');
  });

  it('takes an inventory upload and answers applied counts and per-row errors', async () => {
    const form = new FormData();
    form.append(
      'devices.csv',
      new Blob(['id,kind,district,asset_id\nsen-7,sensor,,school\nsen-8,thermometer,,\n']),
      'devices.csv',
    );
    const res = await app.inject({
      method: 'POST',
      url: '/api/inventory',
      headers: { authorization: `Bearer ${token}` },
      payload: form,
    });
    const body = res.json() as { counts: { devices: unknown }; errors: { text: string }[] };
    expect(res.statusCode).toBe(200);
    expect(body.counts.devices).toEqual({ accepted: 1, rejected: 1 });
    expect(body.errors[0].text).toMatch(/^devices\.csv:3: kind: /);
    expect(registry.inventory.devices.has('sen-7')).toBe(true);
  });

  it('explains a gap: which cameras are not available, why, and since when', async () => {
    const r = await call('GET', '/api/indicators/L2.2.1.b4?scope=centre');
    expect(r.body).toMatchObject({ id: 'L2.2.1.b4', scope: 'centre', numerator: 1, denominator: 2 });
    expect(r.body.gap.devices).toEqual([
      {
        id: 'cam-2',
        kind: 'cctv',
        reason: 'video-lost',
        since: '2026-01-05T08:00:00.000Z',
        lastSeen: '2026-01-05T08:00:00.000Z',
      },
    ]);
    const cctv = await call('GET', '/api/indicators/availability.cctv');
    expect(cctv.body.gap.devices).toEqual([
      { id: 'cam-4', kind: 'cctv', reason: 'offline', since: null, lastSeen: null },
    ]);
    const b1 = await call('GET', '/api/indicators/L2.1.1');
    expect(b1.body.gap.assets.map((a: { id: string }) => a.id)).toEqual(['p1', 'p2']);
    expect((await call('GET', '/api/indicators/L9.9.9')).status).toBe(404);
  });

  it('reads and replaces alert thresholds, validated as in city.json', async () => {
    expect((await call('GET', '/api/thresholds')).body).toEqual([]);
    const t = { indicator: 'L2.2.1.b4', scope: 'centre', below: 90, forS: 120 };
    expect((await call('PUT', '/api/thresholds', [t], false)).status).toBe(401);
    const ok = await call('PUT', '/api/thresholds', [t]);
    expect(ok).toMatchObject({ status: 200, body: [{ ...t, clearAt: 90, severity: 'major' }] });
    expect(registry.inventory.city.thresholds).toHaveLength(1);
    const bad = await call('PUT', '/api/thresholds', [
      { ...t, clearAt: 80 },
      { ...t, indicator: 'L9' },
    ]);
    expect(bad).toMatchObject({
      status: 400,
      body: { error: 'bad-request', message: "1: no indicator 'L9'" },
    });
    const band = await call('PUT', '/api/thresholds', [{ ...t, clearAt: 80 }]);
    expect(band).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^0: clearAt: must be >= below/) },
    });
  });

  it('serves health, Prometheus metrics and the OpenAPI document', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/citygauge_messages_rejected_total\{reason="bad-topic"\} 1/);
    expect(metrics).toMatch(/citygauge_messages_accepted_total 4/);
    expect(metrics).toMatch(/citygauge_evaluation_lag_seconds 0\.003/);
    const doc = (await app.inject({ url: '/docs/json' })).json() as OpenApi;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/devices', '/api/devices/{id}', '/api/indicators/{id}', '/healthz']),
    );
    // One error body, named once: every error answer refers to it or extends it, none repeats it inline.
    expect(doc.components.schemas.Error).toMatchObject({
      type: 'object',
      properties: { error: { type: 'string' }, message: { type: 'string' } },
      required: ['error', 'message'],
    });
    const errors = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.entries(op.responses ?? {})
          .filter(([status]) => Number(status) >= 400)
          .map(([status, r]) => ({
            at: `${method} ${path} ${status}`,
            schema: r.content?.['application/json']?.schema,
          })),
      ),
    );
    expect(errors.length).toBeGreaterThan(10);
    const inline = errors.filter(
      ({ schema }) => !schema?.$ref && Object.keys(schema?.properties ?? {}).join() === 'error,message',
    );
    expect(inline.map((e) => e.at)).toEqual([]);
    expect(
      errors.filter(({ schema }) => schema?.$ref === '#/components/schemas/Error').length,
    ).toBeGreaterThan(10);
  });
});
