// Where a running local cluster stands, read from outside: its file, the API node's merge, the partition
// leases, the log's streams, and what the nodes' logs say went wrong.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type JetStreamManager, type NatsConnection, StringCodec } from 'nats';
import { LEASE_BUCKET } from '../../cluster/lease.js';
import { PARTIAL_STREAM } from '../../cluster/log.js';

/** A free run of 41 ports for the launcher's topology (base … base+40). */
export async function freeBase(): Promise<number> {
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

export interface ClusterFile {
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

export interface ClusterStatus {
  mergedThrough: string | null;
  accepted: number;
  rejected: Record<string, number>;
  batches: number[];
}

export async function clusterStatus(file: ClusterFile): Promise<ClusterStatus | undefined> {
  const res = await fetch(`${file.api}/api/cluster`, {
    headers: { authorization: `Bearer ${file.adminToken}` },
  }).catch(() => undefined);
  return res?.ok ? ((await res.json()) as ClusterStatus) : undefined;
}

export const judgedOf = (s: ClusterStatus | undefined) =>
  s ? s.accepted + Object.values(s.rejected).reduce((a, b) => a + b, 0) : 0;

export async function holders(nc: NatsConnection, partitions: number): Promise<(string | undefined)[]> {
  const kv = await nc.jetstream().views.kv(LEASE_BUCKET, { bindOnly: true });
  const sc = StringCodec();
  const out: (string | undefined)[] = [];
  for (let p = 0; p < partitions; p++) {
    const e = await kv.get(`partition-${p}`);
    out.push(e && e.operation === 'PUT' ? sc.decode(e.value) : undefined);
  }
  return out;
}

export async function streamState(jsm: JetStreamManager, stream: string) {
  const info = await jsm.streams.info(stream, { subjects_filter: '>' });
  return {
    messages: info.state.messages,
    bytes: info.state.bytes,
    lastSeq: info.state.last_seq,
    subjects: info.state.subjects ?? {},
  };
}

/** Contribution events in the partial batches stored after `afterSeq` (4 numbers each, after the header). */
export async function countEvents(jsm: JetStreamManager, afterSeq: number, lastSeq: number): Promise<number> {
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

export interface Health {
  /** Appends a front door gave up on (no PUBACK; the device reconnected and resent). */
  appendsFailed: number;
  /** Partitions a shard stopped running while the traffic ran (lease lost or given up to rebalance). */
  partitionsStopped: number;
  /** Device reconnections (after a front door closed a connection whose message the log did not take). */
  reconnects: number;
}

/** What the nodes' logs say went wrong between `from` and `to` (epoch ms). */
export function healthFromLogs(logs: string, from: number, to: number, reconnects: number): Health {
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
