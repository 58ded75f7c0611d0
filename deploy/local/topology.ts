// The local cluster's topology, one description for the launcher and for whoever reads cluster.json: which
// processes run, on which ports, with which arguments.
import { readFileSync } from 'node:fs';

export interface Topology {
  /** NATS client, route and monitoring ports per node. */
  nats: { client: number; route: number; monitor: number }[];
  /** MQTT port per front door. */
  doors: number[];
  shards: number;
  /** HTTP port of the API node. */
  api: number;
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
  /** Process ids by role, in start order (`kill ROLE N` takes the N-th, from 1). */
  pids: Record<Role, number[]>;
  logs: string;
}

/**
 * Ports from `base` on: NATS client base…, routes base+10…, monitoring base+20…, doors base+30…, API base+40,
 * PostgreSQL base+50.
 */
/** How many ports from the base the topology uses. */
export const PORTS_USED = 51;

export function topologyAt(base: number, partitions = 8): Topology {
  return {
    nats: [0, 1, 2].map((i) => ({ client: base + i, route: base + 10 + i, monitor: base + 20 + i })),
    doors: [base + 30, base + 31],
    shards: 2,
    api: base + 40,
    pg: base + 50,
    partitions,
  };
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
