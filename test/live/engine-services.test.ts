// `citygauge engine` as a first-class deployment beside Debian's Mosquitto: threshold alerts published on
// the external broker and logged, the devices down retained, history in the embedded store and the HTTP
// API over all of it, and a clean stop on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';
import { freePort, waitForPort } from '../support/ports.js';
import { DEVICE_HEADER, inventoryDir, tempDir } from '../support/tmp.js';

// Three sensors, none online at start: availability.sensor is 0 %, below 50 from the first snapshot.
const CITY = inventoryDir({
  'city.json': JSON.stringify({
    name: 'Threshold Town',
    windows: ['1h'],
    thresholds: [
      {
        indicator: 'availability.sensor',
        scope: 'city',
        below: 50,
        clearAt: 50,
        forS: 1,
        severity: 'critical',
      },
    ],
  }),
  'devices.csv': [
    DEVICE_HEADER,
    'sen-1,sensor,north,,,,60,,',
    'sen-2,sensor,north,,,,60,,',
    'sen-3,sensor,south,,,,60,,',
    '',
  ].join('\n'),
});

let broker: Mosquitto;
let child: ChildProcess;
let watcher: MqttClient;
let http: string;
let output = '';
const received: { topic: string; retain: boolean; body: Record<string, unknown> }[] = [];

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ADMIN_TOKEN = 'engine-services-admin-token-0123456789';

// biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(http + path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  broker = await startMosquitto(); // fails, naming the package, where Mosquitto is not installed
  // Alert events are not retained: subscribe before the engine starts.
  watcher = mqtt.connect(broker.url, { clientId: 'watcher' });
  watcher.on('message', (topic, payload, packet) =>
    received.push({ topic, retain: packet.retain, body: JSON.parse(payload.toString()) }),
  );
  await new Promise<void>((resolve, reject) => {
    watcher.once('error', reject);
    watcher.once('connect', () =>
      watcher.subscribe(['city/alerts/#', 'city/devices/down'], { qos: 1 }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  });
  const port = await freePort();
  http = `http://127.0.0.1:${port}`;
  child = spawn(
    process.execPath,
    [
      CLI,
      'engine',
      '--mqtt-url',
      broker.url,
      '--username',
      '', // Mosquitto here admits anonymous clients
      '--inventory',
      CITY,
      '--data-dir',
      tempDir(),
      '--client-id',
      'engine-services',
      '--http-port',
      String(port),
    ],
    {
      env: { ...process.env, CITYGAUGE_LOG_LEVEL: 'info', CITYGAUGE_ADMIN_TOKEN: ADMIN_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  await waitForPort(port, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${output}`);
  });
}, 45_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  watcher?.end(true);
  await broker?.stop();
});

describe('citygauge engine --http-port beside Mosquitto', () => {
  it('raises the alert on city/alerts/<indicator> through the broker and lists it over HTTP', async () => {
    const event = await until('no raise on city/alerts/availability.sensor', () =>
      received.find((m) => m.topic === 'city/alerts/availability.sensor' && m.body.event === 'raise'),
    );
    expect(event.retain).toBe(false);
    expect(event.body).toMatchObject({
      indicator: 'availability.sensor',
      scope: 'city',
      severity: 'critical',
      below: 50,
      value: 0,
      alertId: expect.stringMatching(/^availability\.sensor@city@\d+$/),
    });
    const alerts = await get('/api/alerts?open=true');
    expect(alerts.status).toBe(200);
    expect(alerts.body).toEqual([
      expect.objectContaining({ alertId: event.body.alertId, indicator: 'availability.sensor' }),
    ]);
  });

  it('publishes the devices down, retained', async () => {
    const down = await until('no city/devices/down', () =>
      received.find((m) => m.topic === 'city/devices/down'),
    );
    expect(down.body).toMatchObject({ count: 3, total: 3 });
  });

  it('writes history to the embedded store from device messages that came through Mosquitto', async () => {
    const from = Date.now() - 60_000;
    const device = mqtt.connect(broker.url, { clientId: 'sen-1' });
    await new Promise((r) => device.once('connect', r));
    await new Promise((r) =>
      device.publish(
        'city/sensor/sen-1/heartbeat',
        JSON.stringify({ ts: Date.now(), seq: 1 }),
        { qos: 1 },
        r,
      ),
    );
    device.end(true);
    // One of three sensors online: 33.33 %, flushed to history.sqlite within a second or two.
    const points = await until('no history point at 33.33', async () => {
      const res = await get(
        `/api/indicators/availability.sensor/history?scope=city&from=${from}&to=${Date.now() + 1000}&every=1s`,
      );
      expect(res.status).toBe(200);
      return res.body.some((p: { value: number }) => Math.abs(p.value - 33.33) < 0.01) ? res.body : undefined;
    });
    expect(points[0]).toMatchObject({ ts: expect.any(String), value: expect.any(Number) });
    expect((await get('/api/devices/sen-1/status')).body).toMatchObject({
      status: { id: 'sen-1', online: true },
      messages: [{ topic: 'city/sensor/sen-1/heartbeat', outcome: 'accepted' }],
    });
  });

  it('declares the districts its inventory names, so a typo in a new device is refused', async () => {
    const res = await fetch(`${http}/api/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'sen-typo', kind: 'sensor', district: 'atlantis' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /unknown district 'atlantis' \(known: .+\)/,
    );
    expect(output).toMatch(/city\.json declares no districts: declared the \d+ the registry names/);
    expect((await get('/api/devices/sen-typo')).status).toBe(404);
  });

  it('is healthy: broker connected, engine ticking, store open', async () => {
    const health = await get('/healthz');
    expect(health).toMatchObject({
      status: 200,
      body: { status: 'ok', failing: [], parts: { broker: { ok: true }, engine: { ok: true } } },
    });
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/citygauge_messages_accepted_total 1/);
  });

  it('stops cleanly on SIGTERM: exit 0, HTTP closed', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/engine stopped/);
    await expect(fetch(`${http}/healthz`)).rejects.toThrow();
  });
});
