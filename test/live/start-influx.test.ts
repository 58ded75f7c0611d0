// `citygauge start` with InfluxDB 1.x (Debian's influxd 1.6.7, the v1 write path): indicator history lands
// in InfluxDB and the history API reads it back with InfluxQL.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { type InfluxdServer, startInfluxd } from '../support/influxdb.js';
import { freePort, waitForPort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';

let influx: InfluxdServer;
let child: ChildProcess;
let http: string;
let output = '';

beforeAll(async () => {
  influx = await startInfluxd();
  await influx.exec('CREATE DATABASE citygauge');
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  http = `http://127.0.0.1:${httpPort}`;
  const args = [
    'start',
    '--data-dir',
    tempDir(),
    '--http-port',
    String(httpPort),
    '--mqtt-port',
    String(mqttPort),
    '--devices',
    '60',
  ];
  child = spawn(
    process.execPath,
    [CLI, ...args, '--influx-url', influx.url, '--influx-api', 'v1', '--influx-db', 'citygauge'],
    {
      env: { ...process.env, CITYGAUGE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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
  await influx?.stop();
});

describe('citygauge start with InfluxDB', () => {
  it('writes indicator points to InfluxDB and serves their history through InfluxQL', async () => {
    const deadline = Date.now() + 20_000;
    let points: { ts: string; value: number | null }[] = [];
    while (Date.now() < deadline) {
      const res = await fetch(
        `${http}/api/indicators/availability.cctv/history?from=${Date.now() - 600_000}&every=1s`,
      );
      points = res.ok ? ((await res.json()) as typeof points) : [];
      if (points.some((p) => (p.value ?? 0) > 0)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(
      points.some((p) => (p.value ?? 0) > 0),
      `no history with a value above 0\n${output.slice(-1500)}`,
    ).toBe(true);
    const series = await influx.query(
      'citygauge',
      `SELECT count("value") FROM "indicator" WHERE "id" = 'availability.cctv' AND "scope" = 'city'`,
    );
    expect(Number(series[0]?.values[0]?.[1])).toBeGreaterThan(0);
    expect(output).toMatch(/history\s+InfluxDB http:\/\/127\.0\.0\.1:\d+ \(v1\)/);
  });
});
