// The log by itself, measured in the bench's cluster before any device connects.
import { type JetStreamManager, type NatsConnection, StorageType } from 'nats';
import { encodeLogRecord } from '../../cluster/log-record.js';
import { procSample } from './procs.js';
import { PARTITIONS } from './settings.js';
import type { Traffic } from './traffic.js';

const SCRATCH_STREAM = 'BENCH_CLUSTER_SCRATCH';
export const LOG_ALONE_RECORDS = Number(process.env.BENCH_CLUSTER_LOG_ALONE ?? 20_000);
/** Appends awaiting their acknowledgement, and the share of LOG_ALONE_RECORDS sent so. */
export const LOG_ALONE_LEVELS = [
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
export async function logAlone(
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
