// A front door (`citygauge broker --cluster --http-port`) and a shard (`citygauge engine --cluster
// --http-port`) as real processes on a real nats-server: their /metrics move when a device publishes and pass
// `promtool check metrics`, and their /healthz turns 503 naming NATS while nats-server is down, then 200 again.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { healthQueries } from '../support/grafana.js';
import { type NatsCluster, startNats } from '../support/nats.js';
import { freePort } from '../support/ports.js';
import { type PromSample, startPrometheus } from '../support/prometheus.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import { type NodeProc, startNode } from './support/cluster-procs.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const PARTITIONS = 4;
const RULES = fileURLToPath(new URL('../../deploy/prometheus/rules/citygauge.rules.yml', import.meta.url));

let nats: NatsCluster;
let door: NodeProc;
let shard: NodeProc;
let mqttUrl: string;
let doorHttp: string;
let shardHttp: string;

interface Health {
  status: string;
  failing: string[];
  parts: Record<string, { ok: boolean; detail?: string }>;
}

async function health(base: string): Promise<{ code: number; body: Health } | undefined> {
  const res = await fetch(`${base}/healthz`).catch(() => undefined);
  return res && { code: res.status, body: (await res.json()) as Health };
}

async function metricsText(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one series in an exposition, 0 when absent; `labels` as written, e.g. `outcome="lost"`. */
function value(text: string, name: string, labels = ''): number {
  const series = labels ? `${name}{${labels}}` : name;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** `promtool check metrics` on an exposition (it reads stdin): its complaints, or '' when it passes. */
function promtoolCheck(text: string): string {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error)
    throw new Error(
      `promtool is not installed (${r.error.message}): apt-get install prometheus (it ships promtool)`,
    );
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim() || `exit ${r.status}`;
}

async function publish(topic: string, payload: object, qos: 0 | 1): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, {
    clientId: `node-http-${Date.now()}`,
    reconnectPeriod: 0,
  });
  try {
    await client.publishAsync(topic, JSON.stringify(payload), { qos });
  } finally {
    await client.endAsync();
  }
}

beforeAll(async () => {
  nats = await startNats({ nodes: 1 });
  const dir = tempDir('citygauge-node-http-');
  const dataDir = join(dir, 'data');
  const imported = await runCli(['import', SAMPLE, '--data-dir', dataDir]);
  expect(imported.code, imported.stderr).toBe(0);
  const [mqttPort, doorPort, shardPort] = [await freePort(), await freePort(), await freePort()];
  const cluster = ['--cluster', nats.urls[0], '--partitions', String(PARTITIONS), '--lease-ttl-ms', '2000'];
  door = startNode('door', [
    'broker',
    '--host',
    '127.0.0.1',
    '--mqtt-port',
    String(mqttPort),
    '--http-port',
    String(doorPort),
    '--allow-anonymous',
    '--data-dir',
    dataDir,
    ...cluster,
  ]);
  await door.waitFor(/front door of the cluster/);
  shard = startNode('shard', [
    'engine',
    '--node-id',
    'shard-1',
    '--inventory',
    SAMPLE,
    '--data-dir',
    join(dir, 'shard'),
    '--http-port',
    String(shardPort),
    ...cluster,
  ]);
  await shard.waitFor(/health and metrics/);
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  doorHttp = `http://127.0.0.1:${doorPort}`;
  shardHttp = `http://127.0.0.1:${shardPort}`;
  expect(door.output()).toContain(`health     http://127.0.0.1:${doorPort}/healthz`);
}, 120_000);

afterAll(async () => {
  await Promise.all([door, shard].filter(Boolean).map((n) => n.stop()));
  await nats?.stop();
}, 60_000);

describe('a front door and a shard with --http-port', () => {
  it('count a device message on /metrics, forwarded by the door and applied by the shard', async () => {
    await waitFor(
      () => `the shard to own all ${PARTITIONS} partitions:\n${shard.output().slice(-2000)}`,
      async () => value(await metricsText(shardHttp), 'citygauge_shard_partitions_owned') === PARTITIONS,
      60_000,
    );
    const doorBefore = await metricsText(doorHttp);
    const forwarded = value(doorBefore, 'citygauge_door_messages_forwarded_total');
    const batches = value(await metricsText(shardHttp), 'citygauge_shard_batches_published_total');
    await publish('city/sensor/sen-001/status', { state: 'online', seq: Date.now() }, 1);

    const doorAfter = await waitFor('the door to count the message it forwarded', async () => {
      const text = await metricsText(doorHttp);
      return value(text, 'citygauge_door_messages_forwarded_total') === forwarded + 1 && text;
    });
    // The device hung up after its PUBACK.
    expect(value(doorAfter, 'citygauge_broker_connected_clients')).toBe(0);
    const shardAfter = await waitFor(
      () => `the shard to publish batches past ${batches}:\n${shard.output().slice(-2000)}`,
      async () => {
        const text = await metricsText(shardHttp);
        return value(text, 'citygauge_shard_batches_published_total') > batches && text;
      },
      30_000,
    );
    expect(value(shardAfter, 'citygauge_shard_records_applied_total')).toBeGreaterThan(0);
    expect(value(shardAfter, 'citygauge_shard_partition_takeovers_total')).toBe(PARTITIONS);
    // Ticks reach every partition twice a second: a live shard is well under the lease TTL behind.
    for (let p = 0; p < PARTITIONS; p++) {
      const lag = value(shardAfter, 'citygauge_shard_partition_lag_seconds', `partition="${p}"`);
      expect(lag, `partition ${p} lag`).toBeLessThan(10);
      expect(shardAfter).toContain(`citygauge_shard_partition_lag_seconds{partition="${p}"}`);
    }
    expect(doorAfter).toContain('process_cpu_seconds_total');
    expect(promtoolCheck(doorAfter)).toBe('');
    expect(promtoolCheck(shardAfter)).toBe('');
    for (const base of [doorHttp, shardHttp]) {
      const h = await health(base);
      expect(h?.code, JSON.stringify(h?.body)).toBe(200);
      expect(h?.body.status).toBe('ok');
    }
  }, 120_000);

  it("give the health dashboard's Cluster panels series through a real Prometheus scraping them", async () => {
    const prom = await startPrometheus({
      jobs: { 'citygauge-door': [doorHttp.slice(7)], 'citygauge-shard': [shardHttp.slice(7)] },
      ruleFiles: [RULES],
    });
    try {
      const queries = healthQueries((row) => row === 'Cluster');
      expect(queries.map((q) => q.title)).toContain('Shards: lag behind the log, by partition');
      for (const { title, q } of queries) {
        let last: PromSample[] = [];
        const samples = await waitFor(
          () => `${title}: ${q} to give series; last ${JSON.stringify(last)}`,
          async () => {
            last = await prom.query(q);
            return last.length > 0 && last;
          },
          30_000,
        );
        for (const x of samples) expect(Number.isFinite(x.value), `${title} gave ${x.value}`).toBe(true);
      }
      const owned = await prom.query('citygauge_shard_partitions_owned');
      expect(owned.map((x) => x.value)).toEqual([PARTITIONS]);
    } finally {
      await prom.stop();
    }
  }, 90_000);

  it('answer 503 naming NATS (and the door its log) while nats-server is down, count what the log did not take, and 200 once it is back', async () => {
    await nats.kill(0);
    for (const [name, base] of [
      ['door', doorHttp],
      ['shard', shardHttp],
    ]) {
      const h = await waitFor(
        () => `${name} /healthz to fail on NATS`,
        async () => {
          const r = await health(base);
          return r?.code === 503 && r.body.failing.includes('nats') && r;
        },
        30_000,
      );
      expect(h.body.status).toBe('failing');
      expect(h.body.parts.nats.detail).toMatch(/NATS .*nats-server/);
    }
    // A QoS 0 reading while the log is down: routed, but lost to the log, and counted so.
    await publish('city/sensor/sen-001/status', { state: 'online', seq: Date.now() }, 0);
    await waitFor(
      () => `the door to count the append the log did not take:\n${door.output().slice(-2000)}`,
      async () =>
        value(await metricsText(doorHttp), 'citygauge_door_log_append_failures_total', 'outcome="lost"') >= 1,
      40_000,
    );
    // …and its /healthz names the log beside NATS.
    const failing = await health(doorHttp);
    expect(failing?.body.failing).toEqual(expect.arrayContaining(['nats', 'log']));
    expect(failing?.body.parts.log.detail).toMatch(/did not take the last device message/);

    await nats.restart(0);
    await waitFor('the door to reconnect to NATS', async () => (await health(doorHttp))?.body.parts.nats.ok);
    // A QoS 1 reading the log takes again: counted as forwarded, and the door's log part is well at once.
    const forwarded = value(await metricsText(doorHttp), 'citygauge_door_messages_forwarded_total');
    await waitFor(
      () => `a QoS 1 reading forwarded after NATS came back:\n${door.output().slice(-2000)}`,
      async () => {
        const sent = await Promise.race([
          publish('city/sensor/sen-001/status', { state: 'online', seq: Date.now() }, 1).then(
            () => true,
            () => false,
          ),
          new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
        ]);
        return (
          sent && value(await metricsText(doorHttp), 'citygauge_door_messages_forwarded_total') > forwarded
        );
      },
      60_000,
    );
    expect((await health(doorHttp))?.body.parts.log.ok).toBe(true);
    for (const [name, base] of [
      ['door', doorHttp],
      ['shard', shardHttp],
    ]) {
      let last: unknown;
      await waitFor(
        () => `${name} /healthz to be 200 again (last: ${JSON.stringify(last)})`,
        async () => {
          const r = await health(base);
          last = r?.body;
          return r?.code === 200;
        },
        60_000,
      );
    }
  }, 180_000);
});
