// `citygauge start` as a process on free loopback ports, for end-to-end tests: its URLs, what it printed,
// and a clean stop (SIGINT, as Ctrl-C).
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './cli.js';
import { freePort, waitForPort } from './ports.js';
import { tempDir } from './tmp.js';

export interface CityProcess {
  http: string;
  mqttUrl: string;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

export async function startCity(extraArgs: string[], env: Record<string, string> = {}): Promise<CityProcess> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  let output = '';
  const args = [
    'start',
    '--data-dir',
    tempDir(),
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
  return {
    http: `http://127.0.0.1:${httpPort}`,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    },
  };
}
