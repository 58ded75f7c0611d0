// `npm run bench:cluster` (issue 11 item 10): device messages per second end to end — admitted by MQTT with
// a QoS 1 PUBACK, through to the indicator state — for the one-process city and for the local cluster (3
// nats-server nodes, 2 front doors, 2 shards, an API node, started by deploy/local/cluster), in one run, on
// the sample city and on the generated 25,000-device metro. The cluster's figure is given as a ratio to the
// one-process figure of the same run; the per-node figures a sizing model needs are measured alongside.
// Writes bench/out/cluster-<date>.json. BENCH_CLUSTER_MESSAGES (default 40,000 per city) sets the load,
// BENCH_CLUSTER_DEVICES (10,000) the connections at most, BENCH_CLUSTER_WINDOW (100 per process) the PUBACKs awaited.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, type JetStreamManager, type NatsConnection, StorageType, StringCodec } from 'nats';
import { LEASE_BUCKET } from '../../cluster/lease.js';
import { IN_STREAM, PARTIAL_STREAM } from '../../cluster/log.js';
import { encodeLogRecord } from '../../cluster/log-record.js';
import { cityShape, generateSampleCity } from '../../examples/generate-city.js';
import { recordSampleTraffic } from '../../examples/record.js';
import { loadInventoryDir } from '../../registry/load-inventory.js';
import { freePort } from '../free-port.js';
import { type JsonChild, machineCpu, type ProcSample, procSample, startJsonChild } from './procs.js';
import {
  activityBetween,
  type PgActivity,
  pgActivity,
  untilAdmitted,
  writeTokensPostgres,
  writeTokensSqlite,
} from './tokens.js';
import {
  type FleetShare,
  judgedAll,
  nonZero,
  planTraffic,
  readLines,
  shareFleet,
  type Traffic,
} from './traffic.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..', '..', '..');
const outDir = join(root, 'bench', 'out');
const CLI = join(root, 'dist', 'cli', 'main.js');
const LAUNCHER = join(root, 'dist', 'deploy', 'local', 'cluster.js');
const MESSAGES = Number(process.env.BENCH_CLUSTER_MESSAGES ?? 40_000);
const PUBLISHERS = Number(process.env.BENCH_CLUSTER_PUBLISHERS ?? 4);
const PARTITIONS = Number(process.env.BENCH_CLUSTER_PARTITIONS ?? 8);
/** How long the cluster may take to judge every message before the bench gives up and says where it stood. */
const DEADLINE_MS = Number(process.env.BENCH_CLUSTER_DEADLINE_S ?? 240) * 1000;
const CITIES = (process.env.BENCH_CLUSTER_CITIES ?? 'sample,metro').split(',');
/** Device connections at most (the first devices to speak in the recording): the metro's 25,000 take minutes to connect here. */
const MAX_DEVICES = Number(process.env.BENCH_CLUSTER_DEVICES ?? 10_000);

const say = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (x: number) => Math.round(x).toLocaleString('en');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface City {
  name: string;
  inventory: string;
  recording: string;
  /** Registered devices. */
  devices: number;
  /** Recorded messages per device per hour: what a device of this city sends. */
  perDevicePerHour: number;
}

async function sampleCity(): Promise<City> {
  const inventory = join(root, 'examples', 'sample-city');
  const recording = join(outDir, 'cluster-sample-0.5h.jsonl');
  if (!existsSync(recording)) {
    say(`recording half an hour of sample city traffic to ${recording} ...`);
    await recordSampleTraffic({ inventoryDir: inventory, out: recording, hours: 0.5, seed: 7 });
  }
  return cityOf('sample city', inventory, recording, 0.5);
}

/** The same metro and recording bench:replay makes (and shares with it). */
async function metroCity(): Promise<City> {
  const dir = join(outDir, 'metro-seed11');
  const inventory = join(dir, 'inventory');
  const recording = join(dir, 'traffic-0.5h.jsonl');
  if (!existsSync(join(dir, 'devices.json'))) {
    say(`generating the 25,000-device metro into ${inventory} ...`);
    const made = generateSampleCity(inventory, 11, { shape: cityShape('metro') });
    writeFileSync(join(dir, 'devices.json'), JSON.stringify({ devices: made.devices }));
  }
  if (!existsSync(recording)) {
    say(`recording half an hour of metro traffic to ${recording} ...`);
    await recordSampleTraffic({ inventoryDir: inventory, out: recording, hours: 0.5, seed: 12 });
  }
  return cityOf('metro (generated)', inventory, recording, 0.5);
}

async function cityOf(name: string, inventory: string, recording: string, hours: number): Promise<City> {
  const { inventory: inv } = await loadInventoryDir(inventory);
  const lines = readFileSync(recording).reduce((n, b) => (b === 10 ? n + 1 : n), 0);
  return {
    name,
    inventory,
    recording,
    devices: inv.devices.size,
    perDevicePerHour: lines / hours / inv.devices.size,
  };
}

async function importCity(inventory: string, dataDir: string): Promise<void> {
  await run(process.execPath, [CLI, 'import', inventory, '--data-dir', dataDir], {
    maxBuffer: 1 << 24,
    env: { ...process.env, CITYGAUGE_ADMIN_TOKEN: 'bench-admin-token-0123456789' },
  });
}

/** The publishing processes, connected (not yet publishing). */
async function startFleet(
  work: string,
  label: string,
  shares: FleetShare[],
  urls: string[],
): Promise<JsonChild[]> {
  const fleet = shares.map((share, i) => {
    const plan = join(work, `${label}-fleet-${i}.json`);
    writeFileSync(plan, JSON.stringify(share));
    return startJsonChild(`publisher ${i + 1}`, join(here, 'fleet.js'), [plan, urls.join(',')]);
  });
  const devices = shares.reduce((n, s) => n + s.devices.length, 0);
  const began = Date.now();
  const ticker = setInterval(
    () =>
      say(`  ${label}: connecting ${fmt(devices)} devices ... ${Math.round((Date.now() - began) / 1000)} s`),
    5000,
  );
  try {
    const connected = await Promise.all(fleet.map((f) => f.next('connected', 600_000)));
    const failed = connected.reduce((n, c) => n + Number(c.failed), 0);
    if (failed > 0)
      throw new Error(
        `${failed} of ${fmt(devices)} devices could not connect, e.g. ${JSON.stringify(connected.flatMap((c) => c.firstFailures as string[]).slice(0, 3))}`,
      );
    const retried = connected.reduce((n, c) => n + Number(c.retried), 0);
    say(
      `  ${label}: ${fmt(devices)} devices connected in ${((Date.now() - began) / 1000).toFixed(1)} s` +
        (retried ? ` (${fmt(retried)} connection attempts refused or cut before CONNACK were retried)` : ''),
    );
  } finally {
    clearInterval(ticker);
  }
  return fleet;
}

const ackedOf = (fleet: JsonChild[], type: 'progress' | 'published', urls: number) =>
  Array.from({ length: urls }, (_, u) =>
    fleet.reduce((n, f) => n + Number((f.last(type)?.acked as number[] | undefined)?.[u] ?? 0), 0),
  );

function publishWindow(fleet: JsonChild[], urls: number) {
  const published = fleet.map((f) => f.last('published')!);
  return {
    publishStart: Math.min(...published.map((p) => Number(p.startedAt))),
    publishEnd: Math.max(...published.map((p) => Number(p.endedAt))),
    acked: ackedOf(fleet, 'published', urls),
  };
}

export interface OneProcessResult {
  messagesPerSecond: number;
  seconds: number;
  connections: number;
  rssBeforeMiB: number;
  rssConnectedMiB: number;
  rssPerConnectionKiB: number;
  cpuSeconds: number;
  messagesPerCpuSecond: number;
  accepted: number;
  rejected: number;
  rejectedBy: Record<string, number>;
  machineBusy: number;
  load1: number;
}

async function oneProcess(city: City, traffic: Traffic, work: string): Promise<OneProcessResult> {
  const dataDir = join(work, 'one-process-data');
  say(`  one process: importing ${city.name}`);
  await importCity(city.inventory, dataDir);
  writeTokensSqlite(dataDir, traffic.devices);
  const port = await freePort();
  const target = startJsonChild('the one-process city', join(here, 'one-process.js'), [
    String(port),
    dataDir,
    String(traffic.messages.length),
  ]);
  let fleet: JsonChild[] = [];
  try {
    await target.next('ready', 120_000);
    await sleep(500);
    const before = procSample(target.child.pid!);
    fleet = await startFleet(work, 'one process', shareFleet(traffic, PUBLISHERS, 1), [
      `mqtt://127.0.0.1:${port}`,
    ]);
    await sleep(1000);
    const connected = procSample(target.child.pid!);
    const m0 = machineCpu();
    const goAt = Date.now();
    for (const f of fleet) f.send('go');
    const ticker = setInterval(() => {
      const judged = Number(target.last('progress')?.judged ?? 0);
      const [acked] = ackedOf(fleet, 'progress', 1);
      say(
        `  one process: ${fmt(acked)} PUBACKs, ${fmt(judged)} of ${fmt(traffic.messages.length)} judged by the engine (${fmt(judged / ((Date.now() - goAt) / 1000))} msg/s)`,
      );
    }, 2000);
    let done: Record<string, unknown>;
    try {
      done = await target.next('done', DEADLINE_MS);
    } finally {
      clearInterval(ticker);
    }
    const m1 = machineCpu();
    const after = procSample(target.child.pid!);
    await Promise.all(fleet.map((f) => f.next('published', 60_000)));
    const doneAt = Number(done.at);
    const seconds = (doneAt - goAt) / 1000;
    const cpuSeconds = after.cpuS - connected.cpuS;
    const rejected = Object.values(done.rejected as Record<string, number>).reduce((a, b) => a + b, 0);
    return {
      messagesPerSecond: traffic.messages.length / seconds,
      seconds,
      connections: traffic.devices.length,
      rssBeforeMiB: before.rssKiB / 1024,
      rssConnectedMiB: connected.rssKiB / 1024,
      rssPerConnectionKiB: (connected.rssKiB - before.rssKiB) / traffic.devices.length,
      cpuSeconds,
      messagesPerCpuSecond: traffic.messages.length / cpuSeconds,
      accepted: Number(done.accepted),
      rejected,
      rejectedBy: nonZero(done.rejected as Record<string, number>),
      machineBusy: (m1.busyS - m0.busyS) / (m1.totalS - m0.totalS),
      load1: loadavg()[0],
    };
  } finally {
    for (const f of fleet) f.send('end');
    await Promise.all(fleet.map((f) => f.stop()));
    await target.stop();
  }
}

/** A free run of 41 ports for the launcher's topology (base … base+40). */
async function freeBase(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 39_000);
    let ok = true;
    for (let p = base; p <= base + 40 && ok; p++) ok = await free(p);
    if (ok) return base;
  }
  throw new Error('found no 41 free loopback ports in a row for the cluster');
}

interface ClusterFile {
  api: string;
  mqtt: string[];
  nats: string[];
  pids: Record<'nats' | 'door' | 'shard' | 'api', number[]>;
  logs: string;
  /** The PostgreSQL control plane, once the launcher starts one. */
  db?: string;
  /** The break-glass admin token the cluster was started with: reads need a viewer (issue 12). */
  adminToken: string;
}

interface ClusterStatus {
  mergedThrough: string | null;
  accepted: number;
  rejected: Record<string, number>;
  batches: number[];
}

async function clusterStatus(file: ClusterFile): Promise<ClusterStatus | undefined> {
  const res = await fetch(`${file.api}/api/cluster`, {
    headers: { authorization: `Bearer ${file.adminToken}` },
  }).catch(() => undefined);
  return res?.ok ? ((await res.json()) as ClusterStatus) : undefined;
}

const judgedOf = (s: ClusterStatus | undefined) =>
  s ? s.accepted + Object.values(s.rejected).reduce((a, b) => a + b, 0) : 0;

async function holders(nc: NatsConnection, partitions: number): Promise<(string | undefined)[]> {
  const kv = await nc.jetstream().views.kv(LEASE_BUCKET, { bindOnly: true });
  const sc = StringCodec();
  const out: (string | undefined)[] = [];
  for (let p = 0; p < partitions; p++) {
    const e = await kv.get(`partition-${p}`);
    out.push(e && e.operation === 'PUT' ? sc.decode(e.value) : undefined);
  }
  return out;
}

async function streamState(jsm: JetStreamManager, stream: string) {
  const info = await jsm.streams.info(stream, { subjects_filter: '>' });
  return {
    messages: info.state.messages,
    bytes: info.state.bytes,
    lastSeq: info.state.last_seq,
    subjects: info.state.subjects ?? {},
  };
}

/** Contribution events in the partial batches stored after `afterSeq` (4 numbers each, after the header). */
async function countEvents(jsm: JetStreamManager, afterSeq: number, lastSeq: number): Promise<number> {
  let events = 0;
  const seqs = Array.from({ length: lastSeq - afterSeq }, (_, i) => afterSeq + 1 + i);
  for (let i = 0; i < seqs.length; i += 32) {
    const got = await Promise.all(
      seqs
        .slice(i, i + 32)
        .map((seq) => jsm.streams.getMessage(PARTIAL_STREAM, { seq }).catch(() => undefined)),
    );
    for (const m of got) {
      if (!m) continue;
      const buf = Buffer.from(m.data);
      const start = (4 + buf.readUInt32LE(0) + 7) & ~7;
      events += (buf.length - start) / 32;
    }
  }
  return events;
}

const IDLE_MS = 6000;
const SCRATCH_STREAM = 'BENCH_CLUSTER_SCRATCH';
const LOG_ALONE_RECORDS = Number(process.env.BENCH_CLUSTER_LOG_ALONE ?? 20_000);
/** Appends awaiting their acknowledgement, and the share of LOG_ALONE_RECORDS sent so. */
const LOG_ALONE_LEVELS = [
  { inFlight: 4, share: 0.1 },
  { inFlight: 32, share: 0.3 },
  { inFlight: 256, share: 1 },
];

export interface LogAlone {
  inFlight: number;
  records: number;
  appendsPerSecond: number;
  cpuSeconds: number;
  appendsPerCpuSecond: number;
}

/**
 * The log by itself, in the same cluster before any device connects: the traffic's own records, as a front
 * door encodes them, appended to a scratch R3 stream (file storage, like the log's) with 4, 32 and 256
 * awaiting their acknowledgement, the cluster's other nodes idle. What the log can take when it need not
 * share the cores, and how much cheaper an append gets the more are in flight (JetStream batches them).
 */
async function logAlone(
  nc: NatsConnection,
  jsm: JetStreamManager,
  traffic: Traffic,
  natsPids: number[],
): Promise<LogAlone[]> {
  await jsm.streams.add({
    name: SCRATCH_STREAM,
    subjects: ['bench.scratch.*'],
    storage: StorageType.File,
    num_replicas: natsPids.length,
  });
  try {
    const js = nc.jetstream();
    const all = traffic.messages.slice(0, LOG_ALONE_RECORDS).map(([, topic, payload]) =>
      encodeLogRecord({
        kind: 'message',
        topic,
        payload: Buffer.from(payload),
        receivedAt: Date.now(),
        frontDoor: 'bench',
      }),
    );
    const cpu = () => natsPids.reduce((n, pid) => n + procSample(pid).cpuS, 0);
    const out: LogAlone[] = [];
    for (const { inFlight, share } of LOG_ALONE_LEVELS) {
      const records = all.slice(0, Math.ceil(all.length * share));
      const cpu0 = cpu();
      const began = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < records.length) {
            const i = next++;
            await js.publish(`bench.scratch.${i % PARTITIONS}`, records[i], { timeout: 30_000 });
          }
        }),
      );
      const seconds = (performance.now() - began) / 1000;
      const cpuSeconds = cpu() - cpu0;
      out.push({
        inFlight,
        records: records.length,
        appendsPerSecond: records.length / seconds,
        cpuSeconds,
        appendsPerCpuSecond: records.length / cpuSeconds,
      });
    }
    return out;
  } finally {
    await jsm.streams.delete(SCRATCH_STREAM).catch(() => undefined);
  }
}

export interface Health {
  /** Appends a front door gave up on (no PUBACK; the device reconnected and resent). */
  appendsFailed: number;
  /** Partitions a shard stopped running while the traffic ran (lease lost or given up to rebalance). */
  partitionsStopped: number;
  /** Device reconnections (after a front door closed a connection whose message the log did not take). */
  reconnects: number;
}

/** What the nodes' logs say went wrong between `from` and `to` (epoch ms). */
function healthFromLogs(logs: string, from: number, to: number, reconnects: number): Health {
  const entries = (name: string) =>
    existsSync(join(logs, name))
      ? readFileSync(join(logs, name), 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .filter((e) => Number(e.time) >= from && Number(e.time) <= to)
      : [];
  let appendsFailed = 0;
  let partitionsStopped = 0;
  for (let i = 1; i <= 8; i++) {
    for (const e of entries(`door-${i}.log`))
      if (e.event === 'append-failed') appendsFailed += e.repeated === undefined ? 1 : Number(e.repeated);
    for (const e of entries(`shard-${i}.log`)) if (e.msg === 'stopped running partition') partitionsStopped++;
  }
  return { appendsFailed, partitionsStopped, reconnects };
}

interface NodeFigures {
  role: string;
  name: string;
  cpuSeconds: number;
  /** Cores it used idle, before the devices connected. */
  idleCores: number;
  rssMiB: number;
}

export interface ClusterResult {
  messagesPerSecond: number;
  /** CPU seconds of every cluster node (log, doors, shards, API) while the traffic ran, and messages per one. */
  cpuSeconds: number;
  messagesPerCpuSecond: number;
  /** The same beyond what the idle cluster burns (its idle cores times the run's length). */
  marginalMessagesPerCpuSecond: number;
  idleCores: number;
  seconds: number;
  accepted: number;
  rejected: number;
  rejectedBy: Record<string, number>;
  doors: (NodeFigures & {
    connections: number;
    rssBeforeMiB: number;
    rssPerConnectionKiB: number;
    messages: number;
    messagesPerSecond: number;
    messagesPerCpuSecond: number;
    /** Per CPU second beyond the idle node's. */
    marginalMessagesPerCpuSecond: number;
  })[];
  shards: (NodeFigures & {
    partitions: number[];
    records: number;
    recordsPerSecond: number;
    recordsPerCpuSecond: number;
    marginalRecordsPerCpuSecond: number;
  })[];
  log: {
    replicas: number;
    appends: number;
    deviceMessages: number;
    appendsPerSecond: number;
    /** Bytes the stream grew by per append (each replica stores this much). */
    bytesPerAppend: number;
    partialBatches: number;
    cpuSeconds: number;
    appendsPerCpuSecond: number;
    marginalAppendsPerCpuSecond: number;
    nodes: NodeFigures[];
    /** The same log by itself, before the devices connected. */
    alone: LogAlone[];
  };
  api: NodeFigures & {
    batches: number;
    events: number;
    batchesPerSecond: number;
    eventsPerSecond: number;
    eventsPerCpuSecond: number;
    marginalEventsPerCpuSecond: number;
  };
  publishSeconds: number;
  health: Health;
  /** The control plane's work while the devices connected and while they published (when there is one). */
  postgres?: { connecting: PgActivity; traffic: PgActivity; trafficSeconds: number };
  machineBusy: number;
  load1: number;
}

async function cluster(
  city: City,
  traffic: Traffic,
  work: string,
  reference: OneProcessResult,
): Promise<ClusterResult> {
  const dir = join(work, 'cluster');
  const base = await freeBase();
  say(`  cluster: deploy/local/cluster up --dir ${dir} --base-port ${base} --partitions ${PARTITIONS}`);
  const up = execFile(
    process.execPath,
    [
      LAUNCHER,
      'up',
      '--dir',
      dir,
      '--base-port',
      String(base),
      '--inventory',
      city.inventory,
      '--partitions',
      String(PARTITIONS),
    ],
    { maxBuffer: 1 << 24 },
  );
  up.stderr?.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n').filter(Boolean)) say(`    ${l}`);
  });
  const upCode = await new Promise<number | null>((resolve) => up.once('exit', resolve));
  if (upCode !== 0) throw new Error(`deploy/local/cluster up exited ${upCode}: see ${dir}/logs`);
  const file = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterFile;
  let fleet: JsonChild[] = [];
  let nc: NatsConnection | undefined;
  try {
    // The devices' tokens where the front doors read them: the control plane, or each door's own registry.
    if (file.db) await writeTokensPostgres(file.db, traffic.devices);
    else
      for (let i = 1; i <= file.mqtt.length; i++)
        writeTokensSqlite(join(dir, `data-door-${i}`), traffic.devices);
    const last = traffic.devices[traffic.devices.length - 1];
    await Promise.all(file.mqtt.map((url) => untilAdmitted(url, last, 60_000)));
    nc = await connect({ servers: file.nats, name: 'bench-cluster' });
    const jsm = await nc.jetstreamManager();
    // Both shards running their share and the API node merging, before any device speaks.
    const shardIds = file.pids.shard.map((_, i) => `shard-${i + 1}`);
    const settleBy = Date.now() + 90_000;
    for (;;) {
      const held = await holders(nc, PARTITIONS).catch(() => []);
      const even = shardIds.every(
        (s) => held.filter((h) => h === s).length === Math.ceil(PARTITIONS / shardIds.length),
      );
      const status = await clusterStatus(file);
      if (held.length === PARTITIONS && held.every(Boolean) && even && status?.mergedThrough) break;
      if (Date.now() > settleBy)
        throw new Error(
          `the cluster did not settle (leases ${JSON.stringify(held)}, merged through ${status?.mergedThrough}): see ${file.logs}`,
        );
      await sleep(500);
    }
    const pids = [
      ...file.pids.nats.map((pid, i) => ({ role: 'log', name: `nats-${i + 1}`, pid })),
      ...file.pids.door.map((pid, i) => ({ role: 'door', name: `door-${i + 1}`, pid })),
      ...file.pids.shard.map((pid, i) => ({ role: 'shard', name: `shard-${i + 1}`, pid })),
      ...file.pids.api.map((pid, i) => ({ role: 'api', name: `api-${i + 1}`, pid })),
    ];
    const sample = () => new Map(pids.map((p) => [p.name, procSample(p.pid)]));
    // What the nodes burn with nothing to do (ticks, leases, heartbeats, the merge's marks): a fixed cost per
    // node and partition, taken out of the per-message figures below to give what a message itself costs.
    const idleFrom = sample();
    const idleAt = Date.now();
    await sleep(IDLE_MS);
    const idleTo = sample();
    const idleSpan = (Date.now() - idleAt) / 1000;
    const idleCores = (name: string) => (idleTo.get(name)!.cpuS - idleFrom.get(name)!.cpuS) / idleSpan;
    say(
      `  cluster: idle, its nodes use ${num(
        pids.reduce((n, p) => n + idleCores(p.name), 0),
        2,
      )} cores ` +
        `(log ${num(
          file.pids.nats.reduce((n, _, i) => n + idleCores(`nats-${i + 1}`), 0),
          2,
        )}, ` +
        `shards ${num(
          file.pids.shard.reduce((n, _, i) => n + idleCores(`shard-${i + 1}`), 0),
          2,
        )})`,
    );
    say(
      `  cluster: the log alone: up to ${fmt(Math.min(LOG_ALONE_RECORDS, traffic.messages.length))} appends to a scratch R${file.nats.length} stream, ${LOG_ALONE_LEVELS.map((l) => l.inFlight).join(', ')} in flight`,
    );
    const alone = await logAlone(nc, jsm, traffic, file.pids.nats);
    say(
      `  cluster: the log alone took ${alone.map((a) => `${fmt(a.appendsPerSecond)} appends/s (${fmt(a.appendsPerCpuSecond)} per CPU-s) with ${a.inFlight} in flight`).join('; ')}`,
    );
    const pgAt = async () => (file.db ? pgActivity(file.db) : undefined);
    await sleep(1500); // PostgreSQL's statistics lag a second behind
    const pg0 = await pgAt();
    const before = sample();
    const shares = shareFleet(traffic, PUBLISHERS, file.mqtt.length);
    fleet = await startFleet(work, 'cluster', shares, file.mqtt);
    await sleep(1000);
    const connected = sample();
    const connectedAt = Date.now();
    const pg1 = await pgAt();
    const inBefore = await streamState(jsm, IN_STREAM);
    const partialBefore = await streamState(jsm, PARTIAL_STREAM);
    const m0 = machineCpu();
    const goAt = Date.now();
    for (const f of fleet) f.send('go');
    let status: ClusterStatus | undefined;
    let lastSaid = 0;
    for (;;) {
      status = await clusterStatus(file);
      const judged = judgedOf(status);
      if (status && judgedAll(status, reference)) break;
      const now = Date.now();
      if (now - lastSaid >= 2000) {
        lastSaid = now;
        const acked = ackedOf(fleet, 'progress', file.mqtt.length);
        say(
          `  cluster: ${acked.map(fmt).join(' + ')} PUBACKs (door 1 + door 2), ${fmt(judged)} of ${fmt(traffic.messages.length)} merged by the API node (${fmt(judged / ((now - goAt) / 1000))} msg/s)`,
        );
      }
      if (now - goAt > DEADLINE_MS)
        throw new Error(
          `the cluster judged ${judged} of ${traffic.messages.length} messages within ${DEADLINE_MS / 1000} s ` +
            `(accepted ${status?.accepted} of ${reference.accepted}, refused ${JSON.stringify(status?.rejected)} against ${JSON.stringify(reference.rejectedBy)}; ` +
            `PUBACKs ${ackedOf(fleet, 'progress', file.mqtt.length).join(' + ')}; merged through ${status?.mergedThrough}): see ${file.logs}`,
        );
      await sleep(250);
    }
    const doneAt = Date.now();
    const m1 = machineCpu();
    const after = sample();
    const span = (Date.now() - connectedAt) / 1000;
    await sleep(1500);
    const pg2 = await pgAt();
    await Promise.all(fleet.map((f) => f.next('published', 60_000)));
    const inAfter = await streamState(jsm, IN_STREAM);
    const partialAfter = await streamState(jsm, PARTIAL_STREAM);
    const held = await holders(nc, PARTITIONS);
    const events = await countEvents(jsm, partialBefore.lastSeq, partialAfter.lastSeq);
    const win = publishWindow(fleet, file.mqtt.length);
    const seconds = (doneAt - goAt) / 1000;
    const publishSeconds = (win.publishEnd - win.publishStart) / 1000;
    const cpu = (name: string) => after.get(name)!.cpuS - connected.get(name)!.cpuS;
    /** CPU seconds beyond what the node would have burnt idle meanwhile. */
    const busy = (name: string) => Math.max(0.01, cpu(name) - idleCores(name) * span);
    const node = (name: string, role: string): NodeFigures => ({
      role,
      name,
      cpuSeconds: cpu(name),
      idleCores: idleCores(name),
      rssMiB: after.get(name)!.rssKiB / 1024,
    });
    const perDoor = win.acked;
    const doors = file.pids.door.map((_, i) => {
      const name = `door-${i + 1}`;
      const connections = shares.reduce((n, s) => n + s.devices.filter(([, , u]) => u === i).length, 0);
      const b: ProcSample = before.get(name)!;
      const c: ProcSample = connected.get(name)!;
      return {
        ...node(name, 'front door'),
        connections,
        rssBeforeMiB: b.rssKiB / 1024,
        rssPerConnectionKiB: (c.rssKiB - b.rssKiB) / connections,
        messages: perDoor[i],
        messagesPerSecond: perDoor[i] / publishSeconds,
        messagesPerCpuSecond: perDoor[i] / cpu(name),
        marginalMessagesPerCpuSecond: perDoor[i] / busy(name),
      };
    });
    const grew = (p: number) => {
      const s = `citygauge.in.${p}`;
      return (inAfter.subjects[s] ?? 0) - (inBefore.subjects[s] ?? 0);
    };
    const shards = shardIds.map((id, i) => {
      const partitions = held.flatMap((h, p) => (h === id ? [p] : []));
      const records = partitions.reduce((n, p) => n + grew(p), 0);
      return {
        ...node(`shard-${i + 1}`, 'shard'),
        partitions,
        records,
        recordsPerSecond: records / seconds,
        recordsPerCpuSecond: records / cpu(`shard-${i + 1}`),
        marginalRecordsPerCpuSecond: records / busy(`shard-${i + 1}`),
      };
    });
    const logNodes = file.pids.nats.map((_, i) => node(`nats-${i + 1}`, 'log'));
    const logCpu = logNodes.reduce((n, x) => n + x.cpuSeconds, 0);
    const logBusy = logNodes.reduce((n, x) => n + busy(x.name), 0);
    const appends = inAfter.messages - inBefore.messages;
    const batches = partialAfter.messages - partialBefore.messages;
    const apiNode = node('api-1', 'api');
    const clusterCpu = pids.reduce((n, p) => n + cpu(p.name), 0);
    const clusterBusy = pids.reduce((n, p) => n + busy(p.name), 0);
    const result: ClusterResult = {
      messagesPerSecond: traffic.messages.length / seconds,
      cpuSeconds: clusterCpu,
      messagesPerCpuSecond: traffic.messages.length / clusterCpu,
      marginalMessagesPerCpuSecond: traffic.messages.length / clusterBusy,
      idleCores: pids.reduce((n, p) => n + idleCores(p.name), 0),
      seconds,
      accepted: status!.accepted,
      rejected: judgedOf(status) - status!.accepted,
      rejectedBy: nonZero(status!.rejected),
      doors,
      shards,
      log: {
        replicas: file.nats.length,
        appends,
        deviceMessages: perDoor.reduce((a, b) => a + b, 0),
        appendsPerSecond: appends / seconds,
        bytesPerAppend: (inAfter.bytes - inBefore.bytes) / appends,
        partialBatches: batches,
        cpuSeconds: logCpu,
        appendsPerCpuSecond: (appends + batches) / logCpu,
        marginalAppendsPerCpuSecond: (appends + batches) / logBusy,
        nodes: logNodes,
        alone,
      },
      api: {
        ...apiNode,
        batches,
        events,
        batchesPerSecond: batches / seconds,
        eventsPerSecond: events / seconds,
        eventsPerCpuSecond: events / apiNode.cpuSeconds,
        marginalEventsPerCpuSecond: events / busy('api-1'),
      },
      publishSeconds,
      health: healthFromLogs(
        file.logs,
        goAt,
        doneAt,
        fleet.reduce((n, f) => n + Number(f.last('published')?.reconnects ?? 0), 0),
      ),
      postgres:
        pg0 && pg1 && pg2
          ? {
              connecting: activityBetween(pg0, pg1),
              traffic: activityBetween(pg1, pg2),
              trafficSeconds: seconds,
            }
          : undefined,
      machineBusy: (m1.busyS - m0.busyS) / (m1.totalS - m0.totalS),
      load1: loadavg()[0],
    };
    return result;
  } finally {
    for (const f of fleet) f.send('end');
    await Promise.all(fleet.map((f) => f.stop()));
    await nc?.close().catch(() => undefined);
    say('  cluster: deploy/local/cluster down');
    await run(process.execPath, [LAUNCHER, 'down', '--dir', dir]).catch((err: Error) =>
      say(`  down failed: ${err.message}`),
    );
  }
}

export interface CityResult {
  city: string;
  devices: number;
  connections: number;
  messages: number;
  /** Recording lines looked at and left out (the broker would refuse them before any engine). */
  linesRead: number;
  linesLeftOut: number;
  linesOfOtherDevices: number;
  perDevicePerHour: number;
  oneProcess: OneProcessResult;
  cluster: ClusterResult;
  /** The cluster's msg/s ÷ the one process's, both from this run. */
  ratio: number;
  /**
   * The same by CPU time: messages per CPU second of all the cluster's nodes ÷ per CPU second of the one
   * process. Steadier on a shared machine, where eight processes get more of the cores than one.
   */
  cpuRatio: number;
}

async function benchCity(city: City): Promise<CityResult> {
  // Enough lines for MESSAGES from the first MAX_DEVICES devices, whose share of the lines is about theirs of the fleet.
  const share = Math.min(1, MAX_DEVICES / city.devices);
  const lines = await readLines(city.recording, Math.ceil((MESSAGES * 1.3) / share) + 1000);
  const { inventory } = await loadInventoryDir(city.inventory);
  const traffic = planTraffic(inventory, lines, MESSAGES, MAX_DEVICES);
  if (traffic.messages.length < MESSAGES)
    throw new Error(
      `${city.recording} gave only ${traffic.messages.length} of ${MESSAGES} messages: ask for fewer (BENCH_CLUSTER_MESSAGES)`,
    );
  say(
    `${city.name}: ${fmt(traffic.messages.length)} messages from ${fmt(traffic.devices.length)} devices (of ${fmt(city.devices)}), QoS 1, ${PUBLISHERS} publishing processes`,
  );
  const work = mkdtempSync(join(tmpdir(), 'citygauge-bench-cluster-'));
  // The launcher's PostgreSQL runs as the postgres account when this runs as root: it must reach DIR/pg.
  chmodSync(work, 0o711);
  try {
    const one = await oneProcess(city, traffic, work);
    say(
      `  one process: ${fmt(one.messagesPerSecond)} msg/s (${one.seconds.toFixed(1)} s; ${fmt(one.accepted)} accepted, ${fmt(one.rejected)} refused)`,
    );
    const clu = await cluster(city, traffic, work, one);
    say(
      `  cluster: ${fmt(clu.messagesPerSecond)} msg/s (${clu.seconds.toFixed(1)} s; ${fmt(clu.accepted)} accepted, ${fmt(clu.rejected)} refused)`,
    );
    if (clu.accepted !== one.accepted || clu.rejected !== one.rejected)
      say(
        `  NOTE: the cluster accepted ${clu.accepted}, refused ${JSON.stringify(clu.rejectedBy)}; one process ${one.accepted}, ${JSON.stringify(one.rejectedBy)}`,
      );
    rmSync(work, { recursive: true, force: true });
    return {
      city: city.name,
      devices: city.devices,
      connections: traffic.devices.length,
      messages: traffic.messages.length,
      linesRead: traffic.read,
      linesLeftOut: traffic.leftOut,
      linesOfOtherDevices: traffic.otherDevices,
      perDevicePerHour: city.perDevicePerHour,
      oneProcess: one,
      cluster: clu,
      ratio: clu.messagesPerSecond / one.messagesPerSecond,
      cpuRatio: clu.messagesPerCpuSecond / one.messagesPerCpuSecond,
    };
  } catch (err) {
    say(`  kept ${work} for its logs`);
    throw err;
  }
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number, digits = 0) =>
  x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The table `npm run bench:cluster` prints for one city. */
export function clusterReport(r: CityResult): string[] {
  const c = r.cluster;
  const o = r.oneProcess;
  const rows: [string, string, string][] = [
    [
      'one process: end to end',
      `${num(o.messagesPerSecond)} msg/s`,
      `${num(o.messagesPerCpuSecond)} msg per CPU-s; ${num(o.rssPerConnectionKiB, 1)} KiB per connection`,
    ],
    [
      'cluster: end to end',
      `${num(c.messagesPerSecond)} msg/s`,
      `ratio to one process ${num(r.ratio, 2)}; ${num(c.messagesPerCpuSecond)} msg per CPU-s of all its nodes (${num(c.marginalMessagesPerCpuSecond)} beyond idle), ratio by CPU ${num(r.cpuRatio, 3)}`,
    ],
    ...c.doors.map((d): [string, string, string] => [
      `${d.name}: ${num(d.connections)} MQTT connections`,
      `${num(d.messagesPerSecond)} msg/s appended`,
      `${num(d.messagesPerCpuSecond)} msg per CPU-s (${num(d.marginalMessagesPerCpuSecond)} beyond idle); RSS ${num(d.rssBeforeMiB)} → ${num(d.rssMiB)} MiB, ${num(d.rssPerConnectionKiB, 1)} KiB per connection`,
    ]),
    ...c.shards.map((s): [string, string, string] => [
      `${s.name}: partitions ${s.partitions.join(',')}`,
      `${num(s.recordsPerSecond)} records/s`,
      `${num(s.recordsPerCpuSecond)} records per CPU-s (${num(s.marginalRecordsPerCpuSecond)} beyond idle); RSS ${num(s.rssMiB)} MiB`,
    ]),
    [
      `log: ${c.log.replicas} nats-server nodes, R${c.log.replicas}`,
      `${num(c.log.appendsPerSecond)} appends/s`,
      `${num(c.log.appendsPerCpuSecond)} appends per CPU-s of all 3 nodes (${num(c.log.marginalAppendsPerCpuSecond)} beyond idle; ${num(c.log.appends)} appends of messages and ticks, ${num(c.log.bytesPerAppend)} bytes each; ${num(c.log.partialBatches)} batches; busiest node ${num((100 * Math.max(...c.log.nodes.map((n) => n.cpuSeconds))) / c.log.cpuSeconds)} % of the log's CPU)`,
    ],
    ...c.log.alone.map((a): [string, string, string] => [
      `  the log alone, ${a.inFlight} appends in flight`,
      `${num(a.appendsPerSecond)} appends/s`,
      `${num(a.appendsPerCpuSecond)} appends per CPU-s of all 3 nodes (a scratch stream, before the devices)`,
    ]),
    [
      'API node: merge',
      `${num(c.api.eventsPerSecond)} events/s`,
      `${num(c.api.batchesPerSecond, 1)} batches/s; ${num(c.api.eventsPerCpuSecond)} events per CPU-s (${num(c.api.marginalEventsPerCpuSecond)} beyond idle); RSS ${num(c.api.rssMiB)} MiB`,
    ],
  ];
  const pgLines = c.postgres
    ? [
        `  PostgreSQL while ${num(r.connections)} devices connected: ${num(c.postgres.connecting.transactions)} transactions, ${num(c.postgres.connecting.rowsRead)} rows read; ` +
          `while they published: ${num(c.postgres.traffic.transactions)} transactions, ${num(c.postgres.traffic.rowsRead)} rows read, ${num(c.postgres.traffic.rowsWritten)} written`,
      ]
    : ['  PostgreSQL: none in this launcher (each node has its own SQLite registry)'];
  return [
    `${r.city}: ${num(r.messages)} QoS 1 messages from ${num(r.connections)} device connections (${num(r.devices)} registered; ${num(r.perDevicePerHour)} msg per device-hour recorded)`,
    ...rows.map(([a, b, c2]) => `  ${pad(a, 44)} ${pad(b, 22)} ${c2}`),
    `  while the traffic ran: ${num(c.health.appendsFailed)} appends given up by a front door, ${num(c.health.reconnects)} device reconnections, ${num(c.health.partitionsStopped)} partition runs stopped by a shard (lease lost or given up to rebalance)`,
    ...pgLines,
    `  machine busy during the runs: one process ${num(100 * o.machineBusy)} %, cluster ${num(100 * c.machineBusy)} % of ${cpus().length} cores (load ${num(c.load1, 2)})`,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(outDir, { recursive: true });
  const load = loadavg();
  say(
    `bench:cluster on ${cpus().length} cores, load ${load.map((x) => x.toFixed(2)).join(' ')} (a shared machine: compare ratios)`,
  );
  const results: CityResult[] = [];
  for (const name of CITIES) {
    const city = name === 'metro' ? await metroCity() : await sampleCity();
    results.push(await benchCity(city));
  }
  const date = new Date().toISOString();
  const file = join(outDir, `cluster-${date.slice(0, 10)}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ date, node: process.version, cores: cpus().length, loadBefore: load, loadAfter: loadavg(), results }, null, 2)}\n`,
  );
  process.stdout.write(`\n${results.flatMap(clusterReport).join('\n')}\n\nwritten to ${file}\n`);
}
