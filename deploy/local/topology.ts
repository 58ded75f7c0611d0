// The cluster's topology, one description for the launcher, the failover tests and whoever reads
// cluster.json: which processes run, on which ports, with which arguments.
import { readFileSync } from 'node:fs';

export interface Topology {
  /** NATS client, route and monitoring ports per node. */
  nats: { client: number; route: number; monitor: number }[];
  /** MQTT port per front door. */
  doors: number[];
  /** /healthz and /metrics port per front door (`broker --http-port`). */
  doorHttp: number[];
  shards: number;
  /** /healthz and /metrics port per shard (`engine --cluster --http-port`). */
  shardHttp: number[];
  /** HTTP port of each API node (the first is the one cluster.json names). */
  apis: number[];
  /** PostgreSQL's port (the control plane every node shares). */
  pg: number;
  partitions: number;
}

export type Role = 'nats' | 'pg' | 'door' | 'shard' | 'api';

/** What `up` writes to DIR/cluster.json. */
export interface ClusterFile {
  api: string;
  mqtt: string[];
  nats: string[];
  /** The control plane: postgres://postgres:PASSWORD@127.0.0.1:PORT/citygauge. */
  db: string;
  adminToken: string;
  partitions: number;
  /** Each front door's and shard's /healthz and /metrics, by node name: `http://127.0.0.1:PORT`. */
  http: Record<string, string>;
  /** Process ids by role, in start order (`kill ROLE N` takes the N-th, from 1). */
  pids: Record<Role, number[]>;
  logs: string;
}

/**
 * How many ports from the base the topology uses: NATS client base…, routes base+10…, monitoring base+20…,
 * doors' MQTT base+30…, API base+40…, PostgreSQL base+50, doors' HTTP base+60…, shards' HTTP base+70….
 */
export const PORTS_USED = 80;

export function topologyAt(
  base: number,
  partitions = 8,
  /** How many of each role: up to 10 of each. */
  shape: { doors: number; shards: number; apis: number } = { doors: 2, shards: 2, apis: 1 },
): Topology {
  const from = (offset: number, n: number) => Array.from({ length: n }, (_, i) => base + offset + i);
  return {
    nats: [0, 1, 2].map((i) => ({ client: base + i, route: base + 10 + i, monitor: base + 20 + i })),
    doors: from(30, shape.doors),
    doorHttp: from(60, shape.doors),
    shards: shape.shards,
    shardHttp: from(70, shape.shards),
    apis: from(40, shape.apis),
    pg: base + 50,
    partitions,
  };
}

/** A citygauge node of the topology. */
export interface NodeCommand {
  role: 'door' | 'shard' | 'api';
  /** `door-1`, `shard-2`, `api-1`: also its node id in leases and logs. */
  name: string;
  /** Its role's command line; what every node shares (--data-dir, --db, --cluster) is the starter's. */
  args: string[];
}

/** Every citygauge node of the topology, front doors first, each on its ports. */
export function nodeCommands(topo: Topology, options: { anonymous?: boolean } = {}): NodeCommand[] {
  return [
    ...topo.doors.map((port, i) => ({
      role: 'door' as const,
      name: `door-${i + 1}`,
      args: [
        'broker',
        '--host',
        '127.0.0.1',
        '--mqtt-port',
        String(port),
        '--http-port',
        String(topo.doorHttp[i]),
        ...(options.anonymous ? ['--allow-anonymous'] : []),
      ],
    })),
    ...Array.from({ length: topo.shards }, (_, i) => ({
      role: 'shard' as const,
      name: `shard-${i + 1}`,
      args: ['engine', '--node-id', `shard-${i + 1}`, '--http-port', String(topo.shardHttp[i])],
    })),
    ...topo.apis.map((port, i) => ({
      role: 'api' as const,
      name: `api-${i + 1}`,
      args: ['api', '--http-port', String(port), '--node-id', `api-${i + 1}`],
    })),
  ];
}

/** Running, not a zombie: a killed detached process may wait a while to be reaped by init. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Each front door's and shard's /healthz and /metrics base URL, by node name (cluster.json's `http`). */
export function nodeHttpUrls(topo: Topology): Record<string, string> {
  return Object.fromEntries([
    ...topo.doorHttp.map((port, i) => [`door-${i + 1}`, `http://127.0.0.1:${port}`]),
    ...topo.shardHttp.map((port, i) => [`shard-${i + 1}`, `http://127.0.0.1:${port}`]),
  ]);
}
