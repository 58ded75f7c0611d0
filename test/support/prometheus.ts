// Debian's prometheus (2.42) started by the test harness on a free loopback port, with a temp config, temp
// storage and a short scrape and evaluation interval, scraping the targets a test names.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './ports.js';
import { serverProcess } from './server-process.js';
import { tempDir } from './tmp.js';

const BINARY = '/usr/bin/prometheus';

export interface PrometheusOptions {
  /** Scrape jobs: job name → `host:port` targets. */
  jobs: Record<string, string[]>;
  /** Rule files (absolute paths) loaded as they would be in production, so recording rules evaluate. */
  ruleFiles?: string[];
  /** Scrape and evaluation interval (default 1s). */
  interval?: string;
}

/** One sample of an instant query: its labels and its value (NaN and ±Inf as Prometheus spells them). */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusServer {
  url: string;
  /** An instant query through /api/v1/query; throws what Prometheus answered when it refuses one. */
  query(expr: string): Promise<PromSample[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(o: PrometheusOptions): Promise<PrometheusServer> {
  if (!existsSync(BINARY)) {
    throw new Error(
      `${BINARY} not found: install Debian's prometheus (apt-get install prometheus; .ci/run does it)`,
    );
  }
  const port = await freePort();
  const dir = tempDir('citygauge-prometheus-');
  const interval = o.interval ?? '1s';
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
      rule_files: o.ruleFiles ?? [],
      scrape_configs: Object.entries(o.jobs).map(([job, targets]) => ({
        job_name: job,
        static_configs: [{ targets }],
      })),
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const { start, stop } = serverProcess(
    'prometheus',
    BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    () => fetch(`${url}/-/ready`).then((r) => r.status === 200),
    `/-/ready on ${url}`,
  );

  async function query(expr: string): Promise<PromSample[]> {
    const res = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      body: new URLSearchParams({ query: expr }),
    });
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success' || !body.data) {
      throw new Error(`prometheus refused ${expr}: ${res.status} ${body.error}`);
    }
    if (body.data.resultType !== 'vector')
      throw new Error(`${expr}: a ${body.data.resultType}, not a vector`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  await start();
  return { url, query, stop };
}
