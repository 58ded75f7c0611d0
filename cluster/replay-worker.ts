// A worker thread of `citygauge replay --shards N`: one partition reads the whole recording, keeps its own
// lines and posts its contributions and marks to the merging thread (cluster/sharded-replay.ts).
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { BadPayloadSummary } from '../engine/bad-payloads.js';
import type { BadLine } from '../engine/recording.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import { PartitionReplay } from './partition-replay.js';

export interface ReplayWorkerData {
  inventory: Inventory;
  catalogue: IndicatorDef[];
  partitionOf: Map<string, number>;
  partitions: number;
  partition: number;
  input: string;
  /** Ascending. */
  ats: number[];
}

/** Unreadable lines reported one by one; past this only counted (the merging thread prints 20 in all). */
const SHOWN_BAD_LINES = 20;

async function run(data: ReplayWorkerData): Promise<void> {
  const port = parentPort!;
  const badPayloads = new BadPayloadSummary();
  const badLines: BadLine[] = [];
  let badLineCount = 0;
  const replay = new PartitionReplay(
    data.inventory,
    data.catalogue,
    data.partitionOf,
    data.partitions,
    data.partition,
    data.ats,
    {
      events: (events, watermark) =>
        port.postMessage({ type: 'events', events, watermark }, [events.buffer as ArrayBuffer]),
      mark: (mark) => port.postMessage({ type: 'mark', mark }),
      badLine: (bad) => {
        if (++badLineCount <= SHOWN_BAD_LINES) badLines.push(bad);
      },
      ingested: badPayloads.onIngested,
    },
  );
  // Bytes, not text: another partition's line is never decoded, only its first bytes read.
  let carry: Buffer | undefined;
  let bytes = 0;
  for await (const chunk of createReadStream(data.input, { highWaterMark: 1 << 20 })) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      replay.lineBytes(buf, start, nl);
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : undefined;
    if (data.partition === 0) {
      bytes += (chunk as Buffer).length;
      port.postMessage({ type: 'progress', bytes });
    }
  }
  if (carry !== undefined) replay.lineBytes(carry, 0, carry.length);
  replay.end();
  port.postMessage({ type: 'done', badLines, badLineCount, badPayloads: badPayloads.entries() });
}

await run(workerData as ReplayWorkerData);
