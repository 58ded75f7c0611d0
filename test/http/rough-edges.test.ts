// Rough edges of the HTTP API, mended (issue 10): indicator rows carry their name and unit, an upload that
// applies nothing is a 422 with its row errors, and a POST that needs no body takes an empty JSON one.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../http/metrics.js';
import { buildApi } from '../../http/server.js';
import type { Registry } from '../../registry/registry-service.js';
import { injectCall } from '../support/http.js';
import { openRegistryCity } from '../support/registry-city.js';
import { DEVICE_HEADER } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));

let app: FastifyInstance;
let token: string;
let registry: Registry;

beforeAll(async () => {
  const city = await openRegistryCity(TOWN);
  ({ registry, token } = city);
  const { engine } = city;
  app = await buildApi({
    registry,
    indicators: { engine, latest: () => undefined },
    metrics: createMetrics({ engine, evaluationLagMs: () => 0 }),
    health: {},
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

const call = (method: string, path: string, body?: unknown) => injectCall(app, token, method, path, body);

/** A raw request: the exact body and content type given, with the admin token. */
const raw = async (method: string, path: string, body: string, type = 'application/json') => {
  const res = await app.inject({
    method: method as InjectOptions['method'],
    url: path,
    headers: { 'content-type': type, authorization: `Bearer ${token}` },
    payload: body,
  });
  // biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
  return { status: res.statusCode, body: res.json() as any };
};

const upload = async (files: Record<string, string>, query = '') => {
  const form = new FormData();
  for (const [name, text] of Object.entries(files)) form.append(name, new Blob([text]), name);
  const res = await app.inject({
    method: 'POST',
    url: `/api/inventory${query}`,
    headers: { authorization: `Bearer ${token}` },
    payload: form,
  });
  // biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
  return { status: res.statusCode, body: res.json() as any };
};

describe('indicator rows', () => {
  it('carry the name and unit of each indicator in the list and alone', async () => {
    const all = (await call('GET', '/api/indicators')).body;
    const b4 = all.find((i: { id: string; scope: string }) => i.id === 'L2.2.1.b4' && i.scope === 'city');
    expect(b4).toMatchObject({ name: 'Available cameras in key public areas', unit: '%' });
    expect(all.every((i: { name?: string; unit?: string }) => i.name && i.unit)).toBe(true);
    const one = await call('GET', '/api/indicators/L2.1.1');
    expect(one.body).toMatchObject({
      id: 'L2.1.1',
      name: 'Share of municipal pipe network under smart monitoring',
      unit: '%',
    });
  });
});

describe('POST /api/inventory that applies nothing', () => {
  it('is a 422 with applied false and every row error when every row is refused', async () => {
    const r = await upload({
      'devices.csv': `${DEVICE_HEADER}\nbad-1,toaster,,,,,,,\nbad-2,sensor,,nowhere,,,,,\n`,
    });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({
      error: 'nothing-applied',
      applied: false,
      counts: { devices: { accepted: 0, rejected: 2 } },
    });
    expect(r.body.message).toMatch(/^nothing was applied: 2 errors/);
    expect(r.body.errors.map((e: { text: string }) => e.text)).toEqual([
      expect.stringMatching(/^devices\.csv:2: kind: /),
      expect.stringMatching(/^devices\.csv:3: /),
    ]);
    expect(registry.inventory.devices.has('bad-1')).toBe(false);
  });

  it('is a 422 when the files hold no rows', async () => {
    const r = await upload({ 'devices.csv': `${DEVICE_HEADER}\n` });
    expect(r).toMatchObject({ status: 422, body: { applied: false, error: 'nothing-applied', errors: [] } });
    expect(r.body.message).toBe('the upload held no rows: nothing was applied');
  });

  it('is a 422 when ?strict=true refuses the whole upload for one bad row', async () => {
    const r = await upload(
      { 'devices.csv': `${DEVICE_HEADER}\nsen-5,sensor,,smelter,,,60,,\nbad-3,toaster,,,,,,,\n` },
      '?strict=true',
    );
    expect(r).toMatchObject({
      status: 422,
      body: { applied: false, counts: { devices: { accepted: 1, rejected: 1 } } },
    });
    expect(registry.inventory.devices.has('sen-5')).toBe(false);
  });

  it('stays a 200 when some rows are applied', async () => {
    const r = await upload({
      'devices.csv': `${DEVICE_HEADER}\nsen-6,sensor,,smelter,,,60,,\nbad-4,toaster,,,,,,,\n`,
    });
    expect(r).toMatchObject({
      status: 200,
      body: { applied: true, counts: { devices: { accepted: 1, rejected: 1 } } },
    });
    expect(r.body.error).toBeUndefined();
    expect(registry.inventory.devices.has('sen-6')).toBe(true);
  });
});

describe('empty JSON bodies', () => {
  it('rotate a secret when the POST says application/json and sends nothing', async () => {
    for (const body of ['', '  \n']) {
      const r = await raw('POST', '/api/devices/cam-4/secret', body);
      expect(r.status).toBe(200);
      expect(registry.credentials.verify('cam-4', r.body.secret)).toBe('device');
    }
  });

  it('still answer 400 in the one error shape where a body is needed', async () => {
    const r = await raw('POST', '/api/devices', '');
    expect(r).toEqual({
      status: 400,
      body: {
        error: 'bad-request',
        message: 'POST /api/devices needs a JSON body: see /docs for its fields',
      },
    });
    const withCharset = await raw('PATCH', '/api/devices/cam-4', '', 'application/json; charset=utf-8');
    expect(withCharset.body.message).toBe(
      'PATCH /api/devices/:id needs a JSON body: see /docs for its fields',
    );
    const bad = await raw('POST', '/api/devices', '{"id":');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('bad-request');
  });
});
