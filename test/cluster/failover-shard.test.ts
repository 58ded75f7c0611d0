// Issue 11 item 9(b), real processes on loopback: a 3-node NATS JetStream log, a front door, two engine
// shards and an API node. A shard killed with SIGKILL has its partitions taken over by the other within
// 10 s, and the API node's indicators then equal a single-process replay of the traffic in the log.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { type NatsCluster, startNats } from '../support/nats.js';
import { freePort } from '../support/ports.js';
import { logAsRecording, type NodeProc, startNode } from './support/cluster-procs.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'citygauge-failover-'));
const dataDir = join(dir, 'data');

let nats: NatsCluster;
let door: NodeProc;
let shards: NodeProc[];
let api: NodeProc;
let apiUrl: string;
let mqttUrl: string;

interface Row {
  id: string;
  scope: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  ts: string;
}

async function get<T>(path: string): Promise<T | undefined> {
  const res = await fetch(`${apiUrl}${path}`).catch(() => undefined);
  return res?.ok ? ((await res.json()) as T) : undefined;
}

/** Polls until the API node has merged an instant after `t` (every partition got there). */
async function mergedPast(t: number, timeoutMs: number): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await get<{ mergedThrough: string | null }>('/api/cluster');
    const rows = await get<Row[]>('/api/indicators');
    if (
      status?.mergedThrough &&
      Date.parse(status.mergedThrough) > t &&
      rows?.length &&
      Date.parse(rows[0].ts) > t
    )
      return rows;
    if (Date.now() > deadline)
      throw new Error(
        `the API node merged nothing past ${new Date(t).toISOString()} in ${timeoutMs} ms (latest: ${rows?.[0]?.ts});\n` +
          `api:\n${api.output().slice(-2000)}\nshards:\n${shards.map((s) => s.output().slice(-2000)).join('\n---\n')}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What one process computes from the log's messages at `at`: value, numerator, denominator. */
async function replayOfLog(at: string): Promise<Map<string, unknown>> {
  const file = join(dir, `log-${Date.now()}.jsonl`);
  writeFileSync(file, `${await logAsRecording(nats.urls)}\n`);
  const r = await runCli(['replay', '--inventory', SAMPLE, '--input', file, '--at', at], {
    timeoutMs: 120_000,
  });
  expect(r.code, r.stderr).toBe(0);
  const line = JSON.parse(r.stdout) as { indicators: Row[] };
  return new Map(line.indicators.map((i) => [`${i.id}/${i.scope}`, [i.value, i.numerator, i.denominator]]));
}

const byKey = (rows: Row[]) =>
  new Map(rows.map((i) => [`${i.id}/${i.scope}`, [i.value, i.numerator, i.denominator]]));

/** Statuses for `count` sensors and pipe monitors from `from` on, QoS 1, each acknowledged by the log. */
async function publishStatuses(ids: string[], state: 'online' | 'offline'): Promise<number> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId: `test-${Date.now()}`, reconnectPeriod: 0 });
  try {
    let seq = Date.now();
    for (const id of ids) {
      const kind = id.startsWith('pm-') ? 'pipe-monitor' : 'sensor';
      await client.publishAsync(`city/${kind}/${id}/status`, JSON.stringify({ state, seq: seq++ }), {
        qos: 1,
      });
    }
  } finally {
    await client.endAsync();
  }
  return Date.now();
}

beforeAll(async () => {
  nats = await startNats({ nodes: 3 });
  const imported = await runCli(['import', SAMPLE, '--data-dir', dataDir]);
  expect(imported.code, imported.stderr).toBe(0);
  const cluster = ['--cluster', nats.urls.join(','), '--partitions', '8', '--lease-ttl-ms', '4000'];
  const mqttPort = await freePort();
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  door = startNode('front door', [
    'broker',
    '--data-dir',
    dataDir,
    '--host',
    '127.0.0.1',
    '--mqtt-port',
    String(mqttPort),
    '--allow-anonymous',
    ...cluster,
  ]);
  await door.waitFor(/front door of the cluster/);
  shards = ['a', 'b'].map((n) =>
    startNode(`shard ${n}`, [
      'engine',
      '--inventory',
      SAMPLE,
      '--data-dir',
      join(dir, `shard-${n}`),
      '--node-id',
      `shard-${n}`,
      ...cluster,
    ]),
  );
  const httpPort = await freePort();
  apiUrl = `http://127.0.0.1:${httpPort}`;
  api = startNode('api', [
    'api',
    '--data-dir',
    dataDir,
    '--http-port',
    String(httpPort),
    '--node-id',
    'api-1',
    ...cluster,
  ]);
  await api.waitFor(/HTTP API/);
}, 120_000);

afterAll(async () => {
  await Promise.all([door, api, ...(shards ?? [])].filter(Boolean).map((n) => n.stop()));
  await nats?.stop();
}, 60_000);

describe('a shard killed with SIGKILL', () => {
  it('has its partitions taken over within 10 s, and the city then equals one process', async () => {
    const sensors = Array.from({ length: 120 }, (_, i) => `sen-${String(i + 1).padStart(3, '0')}`);
    const pipes = Array.from({ length: 120 }, (_, i) => `pm-${String(i + 1).padStart(4, '0')}`);
    // The two shards share the partitions, whichever started first: a shard over its share gives some up.
    await Promise.all(shards.map((s) => s.waitFor(/"msg":"took partition/, 60_000)));
    const before = await publishStatuses([...sensors.slice(0, 60), ...pipes.slice(0, 60)], 'online');
    const merged = await mergedPast(before + 1500, 60_000);
    expect(byKey(merged)).toEqual(await replayOfLog(merged[0].ts));

    // The shard holding partitions dies; the other must win their leases and resume from checkpoints.
    const held = (s: NodeProc) => (s.output().match(/"msg":"took partition/g) ?? []).length;
    const victim = held(shards[0]) >= held(shards[1]) ? shards[0] : shards[1];
    const survivor = victim === shards[0] ? shards[1] : shards[0];
    const takenBefore = held(survivor);
    const killedAt = Date.now();
    await victim.kill9();
    const after = await publishStatuses([...sensors.slice(60), ...pipes.slice(60, 100)], 'online');
    await publishStatuses(pipes.slice(0, 20), 'offline');
    const rows = await mergedPast(after + 1500, 30_000);
    const takeovers = [...survivor.output().matchAll(/"time":(\d+)[^\n]*"took partition/g)].slice(
      takenBefore,
    );
    expect(takeovers.length).toBeGreaterThan(0);
    for (const t of takeovers) expect(Number(t[1]) - killedAt).toBeLessThan(10_000);
    expect(byKey(rows)).toEqual(await replayOfLog(rows[0].ts));
    // The traffic moved the city: these are not two empty cities.
    const sensorShare = rows.find((r) => r.id === 'availability.sensor' && r.scope === 'city');
    expect(sensorShare?.numerator).toBe(120);
  }, 240_000);
});
