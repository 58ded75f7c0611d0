// `citygauge replay --shards N`: the recording split over N partitions by the cluster's partition rule, one
// worker thread each, merged in this thread by the cluster's merge. The output equals one process's.
import { Worker } from 'node:worker_threads';
import { BadPayloadSummary, type Problem } from '../engine/bad-payloads.js';
import type { BadLine } from '../engine/recording.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import { CityMerge, MergeClock, type MergedSnapshot, type PartitionMark } from './merge.js';
import { partitionDevices } from './partition.js';
import type { ReplayWorkerData } from './replay-worker.js';

export interface ShardedReplayOptions {
  inventory: Inventory;
  catalogue: readonly IndicatorDef[];
  input: string;
  ats: readonly number[];
  shards: number;
  onProgress?: (bytesRead: number) => void;
}

export interface ShardedReplay {
  /** Ascending by time. */
  snapshots: MergedSnapshot[];
  /** The first unreadable lines, by line number, and how many there were in all. */
  badLines: BadLine[];
  badLineCount: number;
  badPayloads: BadPayloadSummary;
}

type FromWorker =
  | { type: 'events'; events: Float64Array; watermark: number }
  | { type: 'mark'; mark: PartitionMark }
  | { type: 'progress'; bytes: number }
  | {
      type: 'done';
      badLines: BadLine[];
      badLineCount: number;
      badPayloads: { problems: [string, Problem][]; others: number };
    };

export async function replaySharded(opts: ShardedReplayOptions): Promise<ShardedReplay> {
  const ats = [...opts.ats].sort((a, b) => a - b);
  const partitionOf = partitionDevices(opts.inventory, opts.shards);
  const clock = new MergeClock(new CityMerge(opts.inventory, opts.catalogue), opts.shards);
  const result: ShardedReplay = {
    snapshots: [],
    badLines: [],
    badLineCount: 0,
    badPayloads: new BadPayloadSummary(),
  };
  clock.onSnapshot.push((s) => result.snapshots.push(s));
  const threads: Worker[] = [];
  const workers = Array.from({ length: opts.shards }, (_, partition) => {
    const workerData: ReplayWorkerData = {
      inventory: opts.inventory,
      catalogue: [...opts.catalogue],
      partitionOf,
      partitions: opts.shards,
      partition,
      input: opts.input,
      ats,
    };
    const worker = new Worker(new URL('./replay-worker.js', import.meta.url), { workerData });
    threads.push(worker);
    return new Promise<void>((resolve, reject) => {
      let done = false;
      worker.on('message', (m: FromWorker) => {
        try {
          if (m.type === 'events') clock.events(partition, m.events, m.watermark);
          else if (m.type === 'mark') clock.mark(partition, m.mark);
          else if (m.type === 'progress') opts.onProgress?.(m.bytes);
          else {
            done = true;
            result.badLines.push(...m.badLines);
            result.badLineCount += m.badLineCount;
            result.badPayloads.add(m.badPayloads);
          }
        } catch (err) {
          reject(err);
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (done) resolve();
        else
          reject(
            new Error(
              `replay shard ${partition} stopped (exit code ${code}) before the end of the recording`,
            ),
          );
      });
    });
  });
  try {
    await Promise.all(workers);
  } finally {
    // One shard failing ends the replay: the others would only work for nothing.
    await Promise.all(threads.map((w) => w.terminate()));
  }
  result.badLines.sort((a, b) => a.line - b.line);
  result.badLines.length = Math.min(result.badLines.length, 20);
  return result;
}
