// Debian's influxd (1.6.7) started by the test harness on free loopback ports with its own temp config;
// stop() and start() again on the same port and data, for outage tests.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { serverProcess } from './server-process.js';
import { tempDir } from './tmp.js';

const BINARY = '/usr/bin/influxd';

export interface InfluxdServer {
  port: number;
  url: string;
  /** POSTs an InfluxQL statement to /query (CREATE DATABASE ...). */
  exec(statement: string): Promise<void>;
  /** Runs an InfluxQL query and returns the first result's series. */
  query(
    db: string,
    q: string,
  ): Promise<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]>;
  stop(): Promise<void>;
  /** Starts again on the same port over the same data. */
  start(): Promise<void>;
}

export async function startInfluxd(): Promise<InfluxdServer> {
  if (!existsSync(BINARY)) {
    throw new Error(
      `${BINARY} not found: install Debian's influxdb (apt-get install influxdb; .ci/run does it)`,
    );
  }
  const [port, rpcPort] = [await freePort(), await freePort()];
  const dir = tempDir('citygauge-influxd-');
  const conf = join(dir, 'influxdb.conf');
  // Every listener on loopback and a free port; graphite, collectd, opentsdb and udp are off by default.
  writeFileSync(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[logging]',
      '  level = "error"',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const { start, stop } = serverProcess(
    'influxd',
    BINARY,
    ['run', '-config', conf],
    () => fetch(`${url}/ping`).then((r) => r.status === 204),
    `/ping on ${url}`,
  );

  async function exec(statement: string): Promise<void> {
    const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: statement }) });
    const body = (await res.json()) as { error?: string; results?: { error?: string }[] };
    const error = body.error ?? body.results?.[0]?.error;
    if (!res.ok || error) throw new Error(`influxd refused ${statement}: ${res.status} ${error}`);
  }

  async function query(db: string, q: string) {
    const res = await fetch(`${url}/query?${new URLSearchParams({ db, q, epoch: 'ms' })}`);
    const body = (await res.json()) as {
      results: { error?: string; series?: Awaited<ReturnType<InfluxdServer['query']>> }[];
    };
    const result = body.results[0];
    if (result.error) throw new Error(`influxd refused ${q}: ${result.error}`);
    return result.series ?? [];
  }

  await start();
  return { port, url, exec, query, stop, start };
}
