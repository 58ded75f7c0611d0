// The local cluster's half of a bench:cluster run: deploy/local/cluster up on free ports, the devices'
// tokens where its front doors read them, settled leases, the idle cost and the log alone, then the traffic
// until the API node has judged every message the one process judged, and each node's figures.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect, type NatsConnection } from 'nats';
import { IN_STREAM, PARTIAL_STREAM } from '../../cluster/log.js';
import type { City } from './cities.js';
import { LOG_ALONE_LEVELS, LOG_ALONE_RECORDS, logAlone } from './log-alone.js';
import { type JsonChild, machineCpu, type ProcSample, procSample } from './procs.js';
import { ackedOf, publishWindow, startFleet } from './publishers.js';
import type { ClusterResult, NodeFigures, OneProcessResult } from './results.js';
import { DEADLINE_MS, fmt, LAUNCHER, num, PARTITIONS, PUBLISHERS, say, sleep } from './settings.js';
import {
  activityBetween,
  pgActivity,
  untilAdmitted,
  writeTokensPostgres,
  writeTokensSqlite,
} from './tokens.js';
import { judgedAll, nonZero, shareFleet, type Traffic } from './traffic.js';
import {
  type ClusterFile,
  type ClusterStatus,
  clusterStatus,
  countEvents,
  freeBase,
  healthFromLogs,
  holders,
  judgedOf,
  streamState,
} from './watch.js';

const run = promisify(execFile);
const IDLE_MS = 6000;

export async function cluster(
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
