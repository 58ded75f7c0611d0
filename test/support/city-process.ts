// `citygauge start` as a process on free loopback ports, for end-to-end tests: its URLs, what it printed,
// and a clean stop (SIGINT, as Ctrl-C).
import { type ChildProcess, spawn } from 'node:child_process';
import mqtt, { type MqttClient } from 'mqtt';
import { CLI } from './cli.js';
import { freePort, waitForPort } from './ports.js';
import { tempDir } from './tmp.js';

export interface CityProcess {
  http: string;
  mqttUrl: string;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** An HTTP API call with the admin token given in CITYGAUGE_ADMIN_TOKEN, if any. */
  // biome-ignore lint/suspicious/noExplicitAny: response shapes are asserted by the tests
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** An MQTT client connected to the city's broker (no reconnects), or the broker's refusal. */
  connect(opts: mqtt.IClientOptions): Promise<MqttClient>;
  /** Polls `read` until `ok`; on timeout fails with the last value and the end of the city's output. */
  until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, what: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
  /** SIGKILL, as a power cut or the OOM killer would: resolves once the process is gone. */
  kill(): Promise<void>;
  /** The ports it listens on, to start it again on the same ones. */
  ports: { http: number; mqtt: number };
}

export async function startCity(
  extraArgs: string[],
  env: Record<string, string> = {},
  dataDir = tempDir(),
  ports?: { http: number; mqtt: number },
): Promise<CityProcess> {
  const [httpPort, mqttPort] = ports ? [ports.http, ports.mqtt] : [await freePort(), await freePort()];
  let output = '';
  const args = [
    'start',
    '--data-dir',
    dataDir,
    '--http-port',
    String(httpPort),
    '--mqtt-port',
    String(mqttPort),
  ];
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args, ...extraArgs], {
    env: { ...process.env, CITYGAUGE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  await waitForPort(httpPort, 30_000);
  await waitForPort(mqttPort, 30_000);
  const http = `http://127.0.0.1:${httpPort}`;
  const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  const admin = env.CITYGAUGE_ADMIN_TOKEN;
  return {
    http,
    mqttUrl,
    output: () => output,
    api: async (method, path, body) => {
      const res = await fetch(http + path, {
        method,
        headers: {
          ...(admin ? { authorization: `Bearer ${admin}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    },
    until: async (read, ok, what, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await read();
        if (ok(v)) return v;
        if (Date.now() > deadline)
          throw new Error(
            `${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms\n${output.slice(-3000)}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    connect: (opts) =>
      new Promise<MqttClient>((resolve, reject) => {
        const c = mqtt.connect(mqttUrl, { reconnectPeriod: 0, ...opts });
        c.once('connect', () => resolve(c));
        c.once('error', (err) => {
          c.end(true);
          reject(err);
        });
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    ports: { http: httpPort, mqtt: mqttPort },
  };
}
