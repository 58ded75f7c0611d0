// Nothing lost, and said out loud: with InfluxDB unreachable, `citygauge start` spools history on disk and,
// once the spool is full, raises an alert on city/alerts/history.spool and shows the spool in /metrics.
import { type ChildProcess, spawn } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { freePort, waitForPort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';

let child: ChildProcess;
let output = '';
let http: string;
let mqttUrl: string;

beforeAll(async () => {
  const [httpPort, mqttPort, deadPort] = [await freePort(), await freePort(), await freePort()];
  http = `http://127.0.0.1:${httpPort}`;
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  const args = [
    'start',
    '--no-sim',
    '--data-dir',
    tempDir(),
    '--http-port',
    String(httpPort),
    '--mqtt-port',
    String(mqttPort),
  ];
  const influx = [
    '--influx-url',
    `http://127.0.0.1:${deadPort}`,
    '--influx-api',
    'v1',
    '--influx-db',
    'city',
    '--spool-max-mb',
    '0.004',
  ];
  child = spawn(process.execPath, [CLI, ...args, ...influx], {
    env: { ...process.env, CITYGAUGE_LOG_LEVEL: 'fatal' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  await waitForPort(httpPort, 30_000);
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
});

describe('history spool when InfluxDB is down', () => {
  it('raises an alert when the spool is full, and /metrics shows the spooled bytes', async () => {
    const deadline = Date.now() + 20_000;
    while (!/service:engine \/ \S+/.test(output) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const token = /service:engine \/ (\S+)/.exec(output)?.[1];
    expect(token, output).toBeTruthy();
    const alert = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const c = mqtt.connect(mqttUrl, {
        clientId: 'alert-watcher',
        username: 'service:engine',
        password: token,
        reconnectPeriod: 0,
      });
      const timer = setTimeout(() => {
        c.end(true);
        reject(new Error(`no spool alert in 20 s\n${output.slice(-1500)}`));
      }, 20_000);
      c.on('connect', () => c.subscribe('city/alerts/#', { qos: 1 }));
      c.on('message', (topic, payload) => {
        if (topic !== 'city/alerts/history.spool') return;
        clearTimeout(timer);
        c.end(true);
        resolve(JSON.parse(payload.toString()));
      });
    });
    expect(alert).toMatchObject({ id: 'history.spool', event: 'raise', severity: 'major' });
    expect(String(alert.message)).toMatch(/bring InfluxDB back or raise --spool-max-mb/);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(Number(/^citygauge_history_spool_bytes (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(4096);
  });
});
