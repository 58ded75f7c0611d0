// Debian's victoria-metrics started by the test harness on a free loopback port with a temp storage
// path; it accepts the v2 write API of @influxdata/influxdb-client (FACTS).
import { existsSync } from 'node:fs';
import { freePort } from './ports.js';
import { serverProcess } from './server-process.js';
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
  const args = [`-storageDataPath=${storage}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'];
  const { start, stop } = serverProcess(
    'victoria-metrics',
    BINARY,
    args,
    () => fetch(`${url}/health`).then((r) => r.ok),
    `/health on ${url}`,
  );

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
