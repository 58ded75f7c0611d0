// Issue 11 item 9, real processes on loopback: a 3-node NATS JetStream log, two front doors, two engine
// shards and an API node. (a) A front door killed with SIGKILL: its devices (the real edge agent, given both
// doors) reconnect to the other, and every QoS 1 reading reaches the city exactly once. (b) A shard killed
// with SIGKILL has its partitions taken over by the other within 10 s. Each time, the API node's indicators
// equal a single-process replay of the traffic in the log.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeCommand, nodeCommands, PORTS_USED, topologyAt } from '../../deploy/local/topology.js';
import { SensorAgent } from '../../edge/sensor.js';
import { RegistryStore } from '../../registry/store.js';
import { runCli } from '../support/cli.js';
import { type NatsCluster, startNats } from '../support/nats.js';
import { freePortRange } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { CLUSTER_ADMIN_TOKEN, logAsRecording, type NodeProc, startNode } from './support/cluster-procs.js';

const SAMPLE = fileURLToPath(new URL('../../examples/sample-city/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'citygauge-failover-'));
const dataDir = join(dir, 'data');

let nats: NatsCluster;
let doors: NodeProc[];
/** How each node was started, to start it again. */
const started = new Map<NodeProc, { name: string; args: string[] }>();
const launch = (name: string, args: string[]) => {
  const node = startNode(name, args);
  started.set(node, { name, args });
  return node;
};
let doorUrls: string[];
const tokens = new Map<string, string>();
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
  const res = await fetch(`${apiUrl}${path}`, {
    headers: { authorization: `Bearer ${CLUSTER_ADMIN_TOKEN}` },
  }).catch(() => undefined);
  return res?.ok ? ((await res.json()) as T) : undefined;
}

/** Polls until the API node has merged an instant after `t` (every partition got there). */
async function mergedPast(t: number, timeoutMs: number): Promise<Row[]> {
  let latest: string | undefined;
  return waitFor(
    () =>
      `the API node to merge past ${new Date(t).toISOString()} (latest: ${latest});\n` +
      `api:\n${api.output().slice(-2000)}\nshards:\n${shards.map((s) => s.output().slice(-2000)).join('\n---\n')}`,
    async () => {
      const status = await get<{ mergedThrough: string | null }>('/api/cluster');
      const rows = await get<Row[]>('/api/indicators');
      latest = rows?.[0]?.ts;
      const past =
        status?.mergedThrough && Date.parse(status.mergedThrough) > t && latest && Date.parse(latest) > t;
      return past ? rows : undefined;
    },
    timeoutMs,
  );
}

interface LogReplay {
  indicators: Map<string, unknown>;
  rejected: Record<string, number>;
  /** Device messages in the log. */
  messages: number;
  text: string;
}

/** What one process computes from the log's messages at `at`: value, numerator, denominator; refusals. */
async function replayOfLog(at: string): Promise<LogReplay> {
  const file = join(dir, `log-${Date.now()}.jsonl`);
  const text = await logAsRecording(nats.urls);
  writeFileSync(file, `${text}\n`);
  const r = await runCli(['replay', '--inventory', SAMPLE, '--input', file, '--at', at], {
    timeoutMs: 120_000,
  });
  expect(r.code, r.stderr).toBe(0);
  const line = JSON.parse(r.stdout) as { indicators: Row[]; rejected: Record<string, number> };
  return {
    indicators: new Map(
      line.indicators.map((i) => [`${i.id}/${i.scope}`, [i.value, i.numerator, i.denominator]]),
    ),
    rejected: line.rejected,
    messages: text ? text.split('\n').length : 0,
    text,
  };
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
  // The devices of test (a) get their secrets; both front doors share the registry (a copy each).
  const store = await RegistryStore.open(dataDir);
  for (let i = 1; i <= 12; i++) {
    const id = `sen-${String(100 + i).padStart(3, '0')}`;
    tokens.set(id, store.credentials().issue(id, 'device'));
  }
  await store.close();
  cpSync(dataDir, `${dataDir}-2`, { recursive: true });
  const cluster = ['--cluster', nats.urls.join(','), '--partitions', '8', '--lease-ttl-ms', '4000'];
  // The launcher's topology (deploy/local/topology.ts): 2 front doors, 2 shards, an API node, on its ports.
  const topo = topologyAt(await freePortRange(PORTS_USED));
  const nodes = nodeCommands(topo, { anonymous: true });
  // Here each front door has a copy of one SQLite registry (the API node shares the first), and the shards
  // read the inventory folder; the launcher gives every node its PostgreSQL instead.
  const own = (n: NodeCommand) =>
    n.role === 'shard'
      ? ['--data-dir', join(dir, n.name), '--inventory', SAMPLE]
      : ['--data-dir', n.name === 'door-2' ? `${dataDir}-2` : dataDir];
  const start = (n: NodeCommand) => launch(n.name, [...n.args, ...own(n), ...cluster]);
  doorUrls = topo.doors.map((p) => `mqtt://127.0.0.1:${p}`);
  mqttUrl = doorUrls[1];
  doors = nodes.filter((n) => n.role === 'door').map(start);
  await Promise.all(doors.map((d) => d.waitFor(/front door of the cluster/)));
  shards = nodes.filter((n) => n.role === 'shard').map(start);
  api = start(nodes.find((n) => n.role === 'api')!);
  apiUrl = `http://127.0.0.1:${topo.apis[0]}`;
  await api.waitFor(/HTTP API/);
}, 120_000);

afterAll(async () => {
  await Promise.all([...(doors ?? []), api, ...(shards ?? [])].filter(Boolean).map((n) => n.stop()));
  await nats?.stop();
}, 60_000);

describe('a front door killed with SIGKILL', () => {
  it('sends its devices to the other door, and every QoS 1 reading reaches the city exactly once', async () => {
    const agents = [...tokens].map(
      ([id, token]) =>
        new SensorAgent({
          url: doorUrls,
          deviceId: id,
          token,
          intervalS: 60,
          outboxDir: mkdtempSync(join(dir, `outbox-${id}-`)),
          reconnect: { minMs: 100, maxMs: 400 },
        }),
    );
    const taken: string[] = [];
    for (const a of agents) a.start();
    const readings = setInterval(() => {
      for (const a of agents) taken.push(`${a.deviceId}:${a.report({ pm25: taken.length })}`);
    }, 50);
    try {
      await waitFor('devices at door 1', () =>
        agents.every((a) => a.isConnected && a.broker === doorUrls[0]),
      );
      await waitFor('readings taken', () => taken.length > 200);
      await doors[0].kill9();
      await waitFor(
        'devices at door 2',
        () => agents.every((a) => a.isConnected && a.broker === doorUrls[1]),
        30_000,
      );
      const moved = taken.length;
      await waitFor('readings after the move', () => taken.length > moved + 200);
    } finally {
      clearInterval(readings);
    }
    for (const a of agents) expect(await a.drained(30_000), `${a.deviceId} drained`).toBe(true);
    const doneAt = Date.now();
    await Promise.all(agents.map((a) => a.stop({ graceful: false })));

    const rows = await mergedPast(doneAt + 1500, 60_000);
    const log = await replayOfLog(rows[0].ts);
    // Every reading a device took is in the log, each acknowledged only once the log had it.
    const logged = new Set(
      log.text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((m) => m.topic.endsWith('/telemetry'))
        .map((m) => `${m.topic.split('/')[2]}:${JSON.parse(m.payload).seq}`),
    );
    expect(taken.filter((k) => !logged.has(k))).toEqual([]);
    // In the city exactly once: what the API node merged equals one process over the log, resends refused
    // as redeliveries, and the accepted count is the log's messages less every refusal.
    expect(byKey(rows)).toEqual(log.indicators);
    const status = (await get<{ accepted: number; rejected: Record<string, number> }>('/api/cluster'))!;
    expect(status.rejected).toEqual(log.rejected);
    const refused = Object.values(log.rejected).reduce((x, y) => x + y, 0);
    expect(status.accepted).toBe(log.messages - refused);
    expect(status.accepted).toBeGreaterThanOrEqual(taken.length);
  }, 240_000);
});

describe('a shard killed with SIGKILL', () => {
  it('has its partitions taken over within 10 s, and the city then equals one process', async () => {
    const sensors = Array.from({ length: 120 }, (_, i) => `sen-${String(i + 1).padStart(3, '0')}`);
    const pipes = Array.from({ length: 120 }, (_, i) => `pm-${String(i + 1).padStart(4, '0')}`);
    // The two shards share the partitions, whichever started first: a shard over its share gives some up.
    await Promise.all(shards.map((s) => s.waitFor(/"msg":"took partition/, 60_000)));
    const before = await publishStatuses([...sensors.slice(0, 60), ...pipes.slice(0, 60)], 'online');
    const merged = await mergedPast(before + 1500, 60_000);
    expect(byKey(merged)).toEqual((await replayOfLog(merged[0].ts)).indicators);

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
    expect(byKey(rows)).toEqual((await replayOfLog(rows[0].ts)).indicators);
    // The traffic moved the city: these are not two empty cities.
    const sensorShare = rows.find((r) => r.id === 'availability.sensor' && r.scope === 'city');
    expect(sensorShare?.numerator).toBe(120);
  }, 240_000);
});

describe('every node of the cluster stopped and started again', () => {
  it('loses nothing: the city afterwards equals one process over all the traffic in the log', async () => {
    const pipes = Array.from({ length: 60 }, (_, i) => `pm-${String(i + 201).padStart(4, '0')}`);
    const before = await publishStatuses(pipes.slice(0, 30), 'online');
    await mergedPast(before + 1500, 60_000);
    // Front doors, shards and API node all stop (the log stays: it is the cluster's memory).
    const all = [...doors, ...shards, api];
    await Promise.all(all.map((n) => n.stop()));
    const restart = (n: NodeProc) => {
      const { name, args } = started.get(n)!;
      return launch(name, args);
    };
    doors = doors.map(restart);
    shards = shards.map(restart);
    api = restart(api);
    await Promise.all(doors.map((d) => d.waitFor(/front door of the cluster/)));
    await api.waitFor(/HTTP API/);
    const after = await publishStatuses(pipes.slice(30), 'online');
    await publishStatuses(pipes.slice(0, 10), 'offline');
    const rows = await mergedPast(after + 1500, 90_000);
    const log = await replayOfLog(rows[0].ts);
    expect(byKey(rows)).toEqual(log.indicators);
    // The restarted API node rebuilt the city from the shards' batches since the start: nothing before the
    // stop is missing from its counts.
    const status = (await get<{ accepted: number; rejected: Record<string, number> }>('/api/cluster'))!;
    const refused = Object.values(log.rejected).reduce((x, y) => x + y, 0);
    expect(status.accepted).toBe(log.messages - refused);
    const pipeShare = rows.find((r) => r.id === 'availability.pipe-monitor' && r.scope === 'city');
    expect(pipeShare?.numerator).toBeGreaterThanOrEqual(50);
  }, 240_000);
});
