// What one city's bench:cluster run measured, and the table it prints.
import { cpus } from 'node:os';
import type { LogAlone } from './log-alone.js';
import { num } from './settings.js';
import type { PgActivity } from './tokens.js';
import type { Health } from './watch.js';

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

export interface NodeFigures {
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

const pad = (s: string, n: number) => s.padEnd(n);

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
