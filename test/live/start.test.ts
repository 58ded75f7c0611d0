// `citygauge start` end to end, as a process on free ports: a device registered over HTTP publishes with
// its secret and the retained indicator changes; spoofed topics, wrong secrets, oversized payloads and
// unknown devices are refused and counted; a Last Will flips availability.
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CityProcess, startCity } from '../support/city-process.js';

const ADMIN = 'test-admin-token-0123456789abcdef';
let city: CityProcess;
let http: string;
const output = () => city.output();

beforeAll(async () => {
  city = await startCity(['--no-sim'], { CITYGAUGE_ADMIN_TOKEN: ADMIN });
  ({ http } = city);
}, 60_000);

afterAll(async () => {
  await city?.stop();
});

const api = (method: string, path: string, body?: unknown) => city.api(method, path, body);
const connect = (opts: mqtt.IClientOptions) => city.connect(opts);

const metric = async (name: string) => {
  const text = await (await fetch(`${http}/metrics`)).text();
  return Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
};

const eventually = <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs?: number) =>
  city.until(read, ok, what, timeoutMs);

describe('citygauge start', () => {
  it('prints the URLs a newcomer needs', async () => {
    await eventually(
      async () => output(),
      (o) => o.includes('Ctrl-C'),
      'the start banner',
    );
    expect(output()).toMatch(/HTTP API\s+http:\/\/127\.0\.0\.1:\d+\/api\/indicators/);
    expect(output()).toMatch(/MQTT\s+mqtt:\/\/127\.0\.0\.1:\d+/);
    expect(output()).toMatch(/dashboard\s+http:\/\/127\.0\.0\.1:\d+\/dashboard/);
    // The first start makes the admin account and prints its one-time password, once.
    expect(output()).toMatch(/admin account\s+admin \/ [\w-]{20}\s/);
    // Node-RED serves the dashboard on the API's port once its flows have started.
    const page = await eventually(
      async () => (await fetch(`${http}/dashboard/city`).catch(() => undefined))?.status,
      (s) => s === 200,
      'the dashboard',
      20_000,
    );
    expect(page).toBe(200);
  });

  it('takes a registered device online with its secret, and its Last Will takes it offline', async () => {
    const created = await api('POST', '/api/devices', {
      id: 'sen-e2e',
      kind: 'sensor',
      district: 'harbor',
      expectedIntervalS: 60,
    });
    expect(created.status).toBe(201);
    const before = (await api('GET', '/api/indicators/availability.sensor?scope=harbor')).body;
    const device = await connect({
      clientId: 'sen-e2e',
      username: 'sen-e2e',
      password: created.body.secret,
      will: {
        topic: 'city/sensor/sen-e2e/status',
        payload: Buffer.from('{"state":"offline"}'),
        qos: 1,
        retain: true,
      },
    });
    device.publish('city/sensor/sen-e2e/heartbeat', JSON.stringify({ ts: Date.now(), seq: 1 }), { qos: 1 });
    const online = await eventually(
      async () => (await api('GET', '/api/indicators/availability.sensor?scope=harbor')).body,
      (v) => v.numerator === before.numerator + 1,
      'availability after the heartbeat',
    );
    expect(online.denominator).toBe(before.denominator);

    (device as unknown as { stream: { destroy(): void } }).stream.destroy(); // a dropped link: the broker publishes the Last Will
    await eventually(
      async () => (await api('GET', '/api/indicators/availability.sensor?scope=harbor')).body,
      (v) => v.numerator === before.numerator,
      'availability after the Last Will',
    );
  });

  it('keeps indicator history in the embedded store without InfluxDB and serves it', async () => {
    // The live value moves as simulated sensors come and go, and history is written once a second: read both
    // together until the latest point has caught up with the value of the moment.
    const { now, points } = await eventually(
      async () => ({
        now: (await api('GET', '/api/indicators/availability.sensor?scope=harbor')).body as {
          value: number | null;
        },
        points: (
          await api(
            'GET',
            `/api/indicators/availability.sensor/history?scope=harbor&from=${Date.now() - 600_000}&every=1s`,
          )
        ).body as { ts: string; value: number | null }[],
      }),
      (r) => Array.isArray(r.points) && r.points.length > 0 && r.points.at(-1)!.value === r.now.value,
      'a history point equal to the live value',
    );
    expect(points.at(-1)!.value).toBe(now.value);
    expect(Date.parse(points.at(-1)!.ts)).toBeGreaterThan(Date.now() - 600_000);
    expect((await api('GET', '/api/indicators/nope/history')).status).toBe(404);
  });

  it('refuses and counts a wrong secret, an unknown device, a spoofed topic and an oversized payload', async () => {
    const created = await api('POST', '/api/devices', {
      id: 'sen-e2e-2',
      kind: 'sensor',
      district: 'harbor',
    });
    await expect(
      connect({ clientId: 'sen-e2e-2', username: 'sen-e2e-2', password: 'wrong' }),
    ).rejects.toThrow();
    await expect(connect({ clientId: 'ghost', username: 'ghost', password: 'x' })).rejects.toThrow();
    const device = await connect({
      clientId: 'sen-e2e-2',
      username: 'sen-e2e-2',
      password: created.body.secret,
    });
    device.publish('city/sensor/sen-001/heartbeat', JSON.stringify({ ts: 1 }), { qos: 0 });
    device.publish('city/sensor/sen-e2e-2/heartbeat', JSON.stringify({ ts: 1, pad: 'x'.repeat(17_000) }), {
      qos: 0,
    });
    await eventually(
      () => metric('citygauge_broker_refusals_total{reason="bad-credentials"}'),
      (n) => n >= 1,
      'bad-credentials count',
    );
    await eventually(
      () => metric('citygauge_broker_refusals_total{reason="unknown-user"}'),
      (n) => n >= 1,
      'unknown-user count',
    );
    await eventually(
      () => metric('citygauge_broker_refusals_total{reason="publish-denied"}'),
      (n) => n >= 1,
      'publish-denied count',
    );
    await eventually(
      () => metric('citygauge_broker_refusals_total{reason="too-large"}'),
      (n) => n >= 1,
      'too-large count',
    );
    device.end(true);
  });
});
