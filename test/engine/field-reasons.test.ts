// Issue 10 item 6: a bad-payload names the failing field and rule in all three places a person reads it —
// the device lookup (GET /api/devices/{id}/status), the refusal log, and replay's stderr summary.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityEngine } from '../../engine/city-engine.js';
import { RecentMessages } from '../../engine/recent-messages.js';
import { RejectionLog } from '../../engine/rejection-log.js';
import { ensureAdminToken } from '../../http/auth.js';
import { createMetrics } from '../../http/metrics.js';
import { buildApi } from '../../http/server.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { Registry } from '../../registry/registry-service.js';
import { RegistryStore } from '../../registry/store.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
const T0 = Date.parse('2026-01-05T08:00:00Z');

/** One bad payload per channel schema of the town's devices, with the reason a person should read. */
const CASES = [
  [
    'pm-1',
    'city/pipe-monitor/pm-1/telemetry',
    { ts: 1, pressureKPa: 'high', flowLps: 2, leak: false },
    'pressureKPa: expected a number',
  ],
  ['pm-2', 'city/pipe-monitor/pm-2/status', { state: 'online', seq: -3 }, 'seq: must be an integer ≥ 0'],
  [
    'cam-1',
    'city/cctv/cam-1/status',
    { state: 'online', video: 'blurry' },
    'video: must be "ok", "degraded" or "lost"',
  ],
  [
    'gw-1',
    'city/cctv-gateway/gw-1/heartbeat',
    { ts: 'now' },
    'ts: must be epoch milliseconds ≥ 0 or an RFC 3339 time with an offset',
  ],
  [
    'sen-1',
    'city/sensor/sen-1/telemetry',
    { ts: 1, metrics: { no2: '40' } },
    'metrics.no2: expected a number',
  ],
  [
    'bus-1',
    'city/transit-beacon/bus-1/arrival',
    { ts: 1, routeId: '22', stopId: '', vehicleId: 'v', predictedArrival: 2 },
    'stopId: must not be empty',
  ],
] as const;

describe('field-level bad-payload reasons', () => {
  let engine: CityEngine;
  let app: FastifyInstance;
  let authorization: string;
  const recent = new RecentMessages();
  const logged: { obj: Record<string, unknown>; msg: string }[] = [];
  const log = new RejectionLog({
    warn: ((obj: Record<string, unknown>, msg: string) => logged.push({ obj, msg })) as never,
  });

  beforeAll(async () => {
    const store = await RegistryStore.open(tempDir());
    store.upsert((await loadInventoryDir(TOWN)).inventory);
    const registry = new Registry(store, store.credentials());
    authorization = `Bearer ${ensureAdminToken(registry.credentials, '')}`;
    engine = new CityEngine(registry.inventory, buildCatalogue(LIVE_CATALOGUE));
    app = await buildApi({
      registry,
      indicators: { engine: () => engine, latest: () => undefined },
      metrics: createMetrics({ engine: () => engine, evaluationLagMs: () => 0 }),
      health: {},
      deviceStatus: { engine: () => engine, recent },
    });
    // Fed the live way: the raw bytes, the engine's verdict, then the onIngested consumers.
    CASES.forEach(([, topic, payload], i) => {
      const msg = { topic, payload: Buffer.from(JSON.stringify(payload)) };
      const outcome = engine.ingest({ receivedAt: T0 + i * 1000, ...msg });
      recent.record(msg, T0 + i * 1000, outcome);
      log.record(msg, T0 + i * 1000, outcome);
    });
  });
  afterAll(() => app?.close());

  it.each(CASES)(
    'the device lookup of %s shows "%s" refused with its field and rule',
    async (id, topic, _p, reason) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/devices/${id}/status`,
        headers: { authorization },
      });
      expect(res.statusCode).toBe(200);
      const [latest] = res.json().messages;
      expect(latest).toMatchObject({ topic, outcome: 'bad-payload', detail: reason });
    },
  );

  it('shows no detail for an accepted message', async () => {
    const msg = { topic: 'city/sensor/sen-1/heartbeat', payload: Buffer.from('{"ts":1}') };
    recent.record(msg, T0 + 60_000, engine.ingest({ receivedAt: T0 + 60_000, ...msg }));
    const [latest] = (
      await app.inject({ url: '/api/devices/sen-1/status', headers: { authorization } })
    ).json().messages;
    expect(latest.outcome).toBe('accepted');
    expect(latest).not.toHaveProperty('detail');
  });

  it.each(CASES)('the refusal log names the field and rule for %s', (id, topic, _p, reason) => {
    const line = logged.find((l) => l.obj.topic === topic);
    expect(line?.obj).toMatchObject({ event: 'rejected', reason: 'bad-payload', device: id, detail: reason });
    expect(line?.msg).toBe(`rejected: bad-payload (${reason})`);
  });

  it('logs a device stuck on one refusal once a second, then says how many it held back', () => {
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const quiet = new RejectionLog({
      warn: ((obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg })) as never,
    });
    const msg = {
      topic: 'city/pipe-monitor/pm-1/telemetry',
      payload: '{"ts":1,"pressureKPa":"x","flowLps":1,"leak":false}',
    };
    for (let ms = 0; ms < 1000; ms += 10) quiet.record(msg, T0 + ms, 'bad-payload');
    quiet.record(msg, T0 + 1000, 'bad-payload');
    quiet.record(msg, T0 + 1000, undefined);
    expect(lines.map((l) => l.msg)).toEqual([
      'rejected: bad-payload (pressureKPa: expected a number)',
      'rejected: bad-payload (pressureKPa: expected a number), 99 more before this',
    ]);
  });

  it('logs at most 50 refusals a second in all, then says how many it left out', () => {
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const capped = new RejectionLog({
      warn: ((obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg })) as never,
    });
    for (let i = 0; i < 200; i++)
      capped.record({ topic: `city/sensor/ghost-${i}/heartbeat`, payload: '{}' }, T0 + i, 'unknown-device');
    expect(lines).toHaveLength(50);
    capped.record({ topic: 'city/sensor/ghost-0/heartbeat', payload: '{}' }, T0 + 1000, 'unknown-device');
    expect(lines.slice(50).map((l) => l.msg)).toEqual([
      'rejected: 150 more messages from other devices not logged in that second (counted in /metrics)',
      'rejected: unknown-device',
    ]);
  });

  it("replay's stderr summary groups refused payloads by field and rule; stdout keeps the contract's lines", async () => {
    const dir = tempDir();
    const input = join(dir, 'bad.jsonl');
    const t = (s: number) => new Date(T0 + s * 1000).toISOString();
    const lines = CASES.map(([, topic, payload], i) => JSON.stringify({ t: t(i), topic, payload }));
    // The same problem again, later: counted with the first, which is the one cited.
    lines.push(JSON.stringify({ t: t(30), topic: CASES[0][1], payload: CASES[0][2] }));
    writeFileSync(input, `${lines.join('\n')}\n`);
    const r = await runCli(['replay', '--inventory', TOWN, '--input', input, '--at', t(60)]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['at', 'indicators', 'rejected']);
    expect(out.rejected['bad-payload']).toBe(7);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `${input}: bad-payload ×2: ${CASES[0][3]} (first: ${CASES[0][1]} at ${t(0)})`,
      ...CASES.slice(1).map(
        ([, topic, , reason], i) => `${input}: bad-payload ×1: ${reason} (first: ${topic} at ${t(i + 1)})`,
      ),
    ]);
  });
});
