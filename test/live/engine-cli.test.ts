// `citygauge engine --mqtt-url` as an operator runs it beside Debian's Mosquitto: device messages in,
// retained indicators out, a clean stop on Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { type Mosquitto, startMosquitto } from '../support/mosquitto.js';
import { tempDir } from '../support/tmp.js';

const TOWN = fileURLToPath(new URL('../fixtures/town/', import.meta.url));
let broker: Mosquitto;
let child: ChildProcess;
let output = '';

beforeAll(async () => {
  broker = await startMosquitto();
  child = spawn(
    process.execPath,
    [CLI, 'engine', '--mqtt-url', broker.url, '--inventory', TOWN, '--username', '', '--data-dir', tempDir()],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const deadline = Date.now() + 20_000;
  while (!output.includes('connected to the broker') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
  await broker?.stop();
});

describe('citygauge engine', () => {
  it('publishes retained indicators computed from device messages on any broker', async () => {
    expect(output).toMatch(/connected to the broker/);
    const device = mqtt.connect(broker.url, { clientId: 'pm-1' });
    await new Promise((r) => device.once('connect', r));
    device.publish(
      'city/pipe-monitor/pm-1/telemetry',
      JSON.stringify({ ts: Date.now(), seq: 1, pressureKPa: 300, flowLps: 2, leak: false }),
      { qos: 1 },
    );
    // pm-1 monitors p1 (250 m of 1,000 m): L2.1.1 = 25 %
    const value = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const watcher = mqtt.connect(broker.url, { clientId: 'watcher' });
      const timer = setTimeout(() => reject(new Error(`L2.1.1 never reached 25\n${output}`)), 15_000);
      watcher.on('connect', () => watcher.subscribe('city/indicators/L2.1.1', { qos: 1 }));
      watcher.on('message', (_t, payload) => {
        const m = JSON.parse(payload.toString());
        if (m.value === 25) {
          clearTimeout(timer);
          watcher.end(true);
          resolve(m);
        }
      });
    });
    expect(value).toMatchObject({
      id: 'L2.1.1',
      scope: 'city',
      numerator: 250,
      denominator: 1000,
      unit: '%',
    });
    device.end(true);
  });

  it('stops cleanly on Ctrl-C, saying what it counted', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(/engine stopped/);
  });
});
