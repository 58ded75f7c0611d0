// Debian's victoria-metrics started by the test harness on a free loopback port with a temp storage
// path; it accepts the v2 write API of @influxdata/influxdb-client (FACTS).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './ports.js';
import { tempDir } from './tmp.js';

const BINARY = '/usr/bin/victoria-metrics';

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export interface VictoriaServer {
  port: number;
  url: string;
  /**
   * Every series matching the selector, after a forced flush. Samples can take a moment to become
   * searchable even then, so with `minSamples` it asks again (up to 10 s) until that many are there.
   */
  export(match: string, minSamples?: number): Promise<ExportedSeries[]>;
  stop(): Promise<void>;
  /** Starts again on the same port over the same storage. */
  start(): Promise<void>;
}

export async function startVictoria(): Promise<VictoriaServer> {
  if (!existsSync(BINARY)) {
    throw new Error(
      `${BINARY} not found: install Debian's victoria-metrics (apt-get install victoria-metrics; .ci/run does it)`,
    );
  }
  const port = await freePort();
  const storage = tempDir('citygauge-victoria-');
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const args = [`-storageDataPath=${storage}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'];
    const proc = spawn(BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null)
        throw new Error(`victoria-metrics exited with ${proc.exitCode}:\n${stderr}`);
      const ok = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`victoria-metrics did not answer /health on ${url} within 20 s:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }

  async function exportSeries(match: string, minSamples = 0): Promise<ExportedSeries[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const series = await exportOnce(match);
      const samples = series.reduce((n, s) => n + s.values.length, 0);
      if (samples >= minSamples || Date.now() > deadline) return series;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function exportOnce(match: string): Promise<ExportedSeries[]> {
    await fetch(`${url}/internal/force_flush`);
    const res = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`);
    if (!res.ok) throw new Error(`victoria-metrics export answered ${res.status}: ${await res.text()}`);
    const text = await res.text();
    return text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as ExportedSeries);
  }

  await start();
  return { port, url, export: exportSeries, stop, start };
}
