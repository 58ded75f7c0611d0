// The registry API refuses hostile and mistyped input (issue 10 items 2 and 11): unknown districts, text over
// its limits (a 900,000-character district), and uploads over their size limits, each a 4xx in the one
// error shape with nothing stored. The field engineers' page posts to these same routes (flows/src/field.mjs).
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
import { apiCall } from '../support/http.js';
import { DEVICE_HEADER, tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const KNOWN = '(known: centre, north)';

let app: FastifyInstance;
let base: string;
let token: string;
let registry: Registry;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir();
  const store = await RegistryStore.open(dataDir);
  store.upsert((await loadInventoryDir(TOWN)).inventory);
  registry = new Registry(store, store.credentials());
  // As `citygauge start` does for a city.json without districts.
  expect(registry.declareDistricts()).toEqual({ declared: ['centre', 'north'], invalid: [] });
  token = ensureAdminToken(registry.credentials, '')!;
  const engine = new CityEngine(registry.inventory, buildCatalogue(LIVE_CATALOGUE));
  // Small limits, so the test sends a few MiB rather than hundreds.
  process.env.CITYGAUGE_UPLOAD_FILE_MB = '1';
  process.env.CITYGAUGE_UPLOAD_TOTAL_MB = '1.5';
  try {
    app = await buildApi({
      registry,
      indicators: { engine: () => engine, latest: () => undefined },
      metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 3 }),
      health: { engine: () => ({ ok: true }), store: () => ({ ok: true }) },
    });
  } finally {
    delete process.env.CITYGAUGE_UPLOAD_FILE_MB;
    delete process.env.CITYGAUGE_UPLOAD_TOTAL_MB;
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
});

const call = (method: string, path: string, body?: unknown) => apiCall(base, token, method, path, body);

async function upload(files: Record<string, string | Uint8Array>, query = '') {
  const form = new FormData();
  for (const [name, content] of Object.entries(files)) form.append(name, new Blob([content]), name);
  const res = await fetch(`${base}/api/inventory${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  // biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
  return { status: res.status, body: (await res.json()) as any };
}

/** The registry as stored: what a restart would see. */
const stored = async () => {
  const store = await RegistryStore.open(dataDir);
  try {
    return store.load();
  } finally {
    store.close();
  }
};

describe('districts through the API', () => {
  it('refuses a device in an unknown district with the known ones, and stores nothing', async () => {
    const r = await call('POST', '/api/devices', {
      id: 'bus-9',
      kind: 'transit-beacon',
      district: 'atlantis',
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: 'bad-request',
      message: `district: unknown district 'atlantis' ${KNOWN}`,
    });
    expect((await call('GET', '/api/devices/bus-9')).status).toBe(404);
    expect((await stored()).devices.has('bus-9')).toBe(false);
    const moved = await call('PATCH', '/api/devices/bus-1', { district: 'atlantis' });
    expect(moved).toMatchObject({
      status: 400,
      body: { message: `district: unknown district 'atlantis' ${KNOWN}` },
    });
    expect(registry.inventory.devices.get('bus-1')?.district).toBe('centre');
    expect(
      (await call('POST', '/api/devices', { id: 'bus-9', kind: 'transit-beacon', district: 'north' })).status,
    ).toBe(201);
  });

  it('refuses upload rows in an unknown district, by file and line', async () => {
    const r = await upload({
      'devices.csv': `${DEVICE_HEADER}\nbus-7,transit-beacon,atlantis,,,,,,\nbus-8,transit-beacon,north,,,,,,\n`,
    });
    expect(r.status).toBe(200);
    expect(r.body.errors.map((e: { text: string }) => e.text)).toEqual([
      `devices.csv:2: unknown district 'atlantis' ${KNOWN}`,
    ]);
    expect(registry.inventory.devices.has('bus-7')).toBe(false);
    expect(registry.inventory.devices.has('bus-8')).toBe(true);
  });
});

describe('GET /api/districts', () => {
  it('lists the districts with their names', async () => {
    expect((await call('GET', '/api/districts')).body).toEqual({
      districts: [
        { id: 'centre', name: 'centre', declared: true },
        { id: 'north', name: 'north', declared: true },
      ],
    });
  });
});

describe('text limits through the API', () => {
  it('refuses a 900,000-character district with a short reason, and stores nothing', async () => {
    const r = await call('POST', '/api/devices', {
      id: 'bus-x',
      kind: 'transit-beacon',
      district: 'd'.repeat(900_000),
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('bad-request');
    expect(r.body.message).toMatch(/district.*at most 64 characters/);
    expect(r.text.length).toBeLessThan(1000);
    expect((await call('GET', '/api/devices/bus-x')).status).toBe(404);
    expect((await stored()).devices.has('bus-x')).toBe(false);
    expect(registry.inventory.devices.size).toBe((await stored()).devices.size);
  });

  it('refuses ids unsafe in a topic or over 64 characters, and overlong asset ids', async () => {
    for (const body of [
      { id: 'cam/1', kind: 'cctv' },
      { id: 'cam#', kind: 'cctv' },
      { id: `c${'a'.repeat(64)}`, kind: 'cctv' },
      { id: 'bus-y', kind: 'transit-beacon', assetId: 'r'.repeat(129) },
      { id: 'bus-y', kind: 'transit-beacon', district: 'nor\u0000th' },
    ]) {
      const r = await call('POST', '/api/devices', body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.error).toBe('bad-request');
    }
    expect((await stored()).devices.has('bus-y')).toBe(false);
  });
});

describe('upload size limits', () => {
  it('answers 413 for a file over the per-file limit, and applies nothing', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `sen-${i},sensor,north,,,,,,`).join('\n');
    expect(rows.length).toBeGreaterThan(1024 * 1024);
    const r = await upload({ 'devices.csv': `${DEVICE_HEADER}\n${rows}\n` });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({
      error: 'too-large',
      message: expect.stringMatching(
        /^devices\.csv is larger than 1 MiB, the limit of one file \(CITYGAUGE_UPLOAD_FILE_MB\)/,
      ),
    });
    expect(registry.inventory.devices.has('sen-0')).toBe(false);
  });

  it('answers 413 when the files together pass the upload limit, and applies nothing', async () => {
    const rows = (prefix: string) =>
      `${DEVICE_HEADER}\n${Array.from({ length: 25_000 }, (_, i) => `${prefix}-${i},sensor,north,,,,,,`).join('\n')}\n`;
    const devices = rows('sen');
    expect(devices.length).toBeLessThan(1024 * 1024);
    const areas = `id,class,district,name\n${Array.from({ length: 25_000 }, (_, i) => `area-${i},key-public,north,Area ${i}`).join('\n')}\n`;
    expect(devices.length + areas.length).toBeGreaterThan(1.5 * 1024 * 1024);
    const r = await upload({ 'areas.csv': areas, 'devices.csv': devices });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({
      error: 'too-large',
      message: expect.stringMatching(/^the upload is larger than 1.5 MiB/),
    });
    expect(registry.inventory.areas.has('area-0')).toBe(false);
    expect(registry.inventory.devices.has('sen-0')).toBe(false);
  });

  it('takes an upload under the limits as before', async () => {
    const r = await upload({ 'devices.csv': `${DEVICE_HEADER}\nsen-ok,sensor,north,,,,,,\n` });
    expect(r).toMatchObject({ status: 200, body: { applied: true, errors: [] } });
    expect((await stored()).devices.has('sen-ok')).toBe(true);
  });
});
