// The live cluster's path, in one thread: each partition's log (front-door messages and shard ticks)
// through a PartitionRunner, its batches into the API node's LiveMerge, with shards dying at random
// points and others resuming from their last checkpoint and republishing what was already merged. At
// every instant the merge reports, the city equals one process fed the same messages in time order.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { decodeInventory, encodeInventory, inventoryVersion } from '../../cluster/inventory-version.js';
import { LiveMerge } from '../../cluster/live-merge.js';
import type { LogRecord } from '../../cluster/log-record.js';
import { decodeBatch, encodeBatch, type PartialBatch } from '../../cluster/partial-batch.js';
import { partitionDevices } from '../../cluster/partition.js';
import { PartitionRunner } from '../../cluster/partition-runner.js';
import { rebuildEngine } from '../../engine/carry-over.js';
import { CityEngine } from '../../engine/city-engine.js';
import { decodeLine } from '../../engine/recording.js';
import { LIVE_CATALOGUE } from '../../indicators/catalogue.js';
import { buildCatalogue } from '../../indicators/load-definitions.js';
import type { Inventory } from '../../registry/inventory.js';
import { mergeCity, mergeRecording } from '../support/merge-cases.js';

const GRID = 5000;
const catalogue = buildCatalogue(LIVE_CATALOGUE, []);

interface Message {
  receivedAt: number;
  topic: string;
  payload: string;
}

/** Readable lines as front doors append them: in time order, payload bytes as received. */
function messagesOf(lines: readonly string[]): Message[] {
  const out: Message[] = [];
  for (const line of lines) {
    const m = line ? decodeLine(line) : 'empty';
    if (typeof m === 'string') continue;
    const p = m.payload;
    const payload = typeof p === 'string' ? p : Buffer.isBuffer(p) ? p.toString() : JSON.stringify(p.value);
    out.push({ receivedAt: m.receivedAt, topic: m.topic, payload });
  }
  return out.sort((a, b) => a.receivedAt - b.receivedAt);
}

/** Each partition's log: its messages, and a shard's tick every 2 s, in time order. */
function logsOf(inventory: Inventory, messages: Message[], partitions: number) {
  const partitionOf = partitionDevices(inventory, partitions);
  const logs: LogRecord[][] = Array.from({ length: partitions }, () => []);
  const first = messages[0].receivedAt;
  const last = messages[messages.length - 1].receivedAt + 200_000;
  let tick = first;
  for (const m of [...messages, undefined]) {
    const until = m?.receivedAt ?? last;
    for (; tick < until; tick += 2000) for (const log of logs) log.push({ kind: 'tick', at: tick });
    if (!m) break;
    const id = m.topic.split('/')[2] ?? m.topic;
    const p = partitionOf.get(id) ?? 0;
    logs[p].push({
      kind: 'message',
      topic: m.topic,
      payload: Buffer.from(m.payload),
      receivedAt: m.receivedAt,
    });
  }
  return { logs, partitionOf, end: last };
}

function oneProcess(inventory: Inventory, messages: Message[], ats: number[]) {
  const engine = new CityEngine(inventory, catalogue);
  const out = new Map<number, unknown>();
  let i = 0;
  for (const at of ats) {
    for (; i < messages.length && messages[i].receivedAt <= at; i++) engine.ingest(messages[i]);
    const { indicators, accepted, rejected } = engine.snapshot(at);
    // A merge holds the numerators, not each device's last message: quality is one process's (issue 14 item 3).
    out.set(at, { at, indicators: indicators.map(({ quality: _quality, ...v }) => v), accepted, rejected });
  }
  return out;
}

function runCluster(inventory: Inventory, lines: readonly string[], partitions: number, deaths: number[]) {
  const messages = messagesOf(lines);
  const { logs, partitionOf } = logsOf(inventory, messages, partitions);
  const merge = new LiveMerge(inventory, catalogue, partitions);
  const snapshots: { at: number }[] = [];
  merge.onSnapshot.push((s) => snapshots.push(s));
  // Batches travel encoded, as through JetStream; partitions interleave one record at a time.
  const publish = (b: PartialBatch) => merge.add(decodeBatch(encodeBatch(b)));
  const runners = logs.map((_, p) => new PartitionRunner(inventory, catalogue, partitionOf, p, GRID));
  const saved: (Uint8Array | undefined)[] = logs.map(() => undefined);
  const next = logs.map(() => 0);
  const longest = Math.max(...logs.map((l) => l.length));
  for (let step = 0; step < longest; step++) {
    for (let p = 0; p < partitions; p++) {
      if (next[p] >= logs[p].length) continue;
      const batches = runners[p].apply(next[p] + 1, logs[p][next[p]]);
      next[p]++;
      batches.forEach(publish);
      saved[p] = runners[p].takeCheckpoint()?.state ?? saved[p];
      if (step % 7 === p % 7) runners[p].requestCheckpoint();
      if (deaths.includes(step * partitions + p)) {
        // The shard dies; another takes the partition from its last checkpoint and re-reads after it.
        runners[p] = new PartitionRunner(inventory, catalogue, partitionOf, p, GRID, saved[p]);
        next[p] = runners[p].seq;
      }
    }
  }
  return { snapshots, messages, merge };
}

describe('the live cluster path', () => {
  test.prop(
    [
      mergeCity,
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.nat(3000), { maxLength: 6 }),
    ],
    { numRuns: 40 },
  )(
    'equals one process at every merged instant, whatever shard dies when',
    (spec, seed, partitions, deaths) => {
      const { inventory, lines } = mergeRecording(spec, seed);
      const { snapshots, messages } = runCluster(inventory, lines, partitions, deaths);
      expect(snapshots.length).toBeGreaterThan(10);
      const ats = snapshots.map((s) => s.at);
      const one = oneProcess(inventory, messages, ats);
      for (const s of snapshots) expect(s).toEqual(one.get(s.at));
    },
  );

  it('drops republished batches and refuses a gap', () => {
    const { inventory, lines } = mergeRecording(fc.sample(mergeCity, { seed: 3, numRuns: 1 })[0], 3);
    const { merge } = runCluster(inventory, lines, 2, [40, 41, 300]);
    expect(merge.duplicates.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const gap = {
      partition: 0,
      batch: merge.applied(0) + 2,
      seq: 0,
      watermark: 0,
      mark: { at: 0, accepted: 0, rejected: {} as never },
      events: new Float64Array(),
    };
    expect(() => merge.add(gap)).toThrow(/batch \d+ follows \d+: read its stream from the start/);
  });

  test.prop([mergeCity, fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 })], {
    numRuns: 25,
  })(
    'follows a registry change announced in every partition: afterwards the city equals one process rebuilt then',
    (spec, seed, partitions) => {
      const { inventory: full, lines } = mergeRecording(spec, seed);
      // Before the change the registry lacks its last device (never a gateway's camera: those move partition).
      const removed = [...full.devices.values()]
        .filter((d) => !d.gatewayId && d.kind !== 'cctv-gateway')
        .pop();
      if (!removed) return;
      const before = { ...full, devices: new Map([...full.devices].filter(([id]) => id !== removed.id)) };
      const v1 = decodeInventory(encodeInventory(before));
      const v2 = decodeInventory(encodeInventory(full));
      const [version1, version2] = [v1, v2].map((v) => inventoryVersion(encodeInventory(v)));
      const messages = messagesOf(lines);
      const change = messages[Math.floor(messages.length / 2)].receivedAt;
      const { logs, partitionOf } = logsOf(full, messages, partitions);
      // The front door's announcement, in every partition, before any record at or after the change.
      for (const log of logs) {
        const i = log.findIndex((r) => (r.kind === 'message' ? r.receivedAt : r.at) >= change);
        log.splice(i < 0 ? log.length : i, 0, { kind: 'registry', at: change, version: version2 });
      }
      const versions = new Map([
        [version1, v1],
        [version2, v2],
      ]);
      const merge = new LiveMerge(v1, catalogue, partitions);
      const snapshots: { at: number; indicators: unknown[] }[] = [];
      merge.onSnapshot.push((s) => snapshots.push(s));
      const partitionOf1 = partitionDevices(v1, partitions);
      const runners = logs.map(
        (_, p) => new PartitionRunner(v1, catalogue, partitionOf1, p, GRID, undefined, version1),
      );
      const longest = Math.max(...logs.map((l) => l.length));
      for (let step = 0; step < longest; step++) {
        for (let p = 0; p < partitions; p++) {
          const r = logs[p][step];
          if (!r) continue;
          const batches =
            r.kind === 'registry'
              ? runners[p].switchTo(step + 1, r.at, r.version, versions.get(r.version)!, partitionOf)
              : runners[p].apply(step + 1, r);
          for (const b of batches) merge.add(decodeBatch(encodeBatch(b)), versions);
        }
      }
      expect(merge.merge.model.deviceIds).toContain(removed.id);

      // One process: the registry changes at the announcement, the engine rebuilt with its state carried over.
      let engine = new CityEngine(v1, catalogue);
      let i = 0;
      let rebuilt = false;
      const one = new Map<number, unknown>();
      for (const s of snapshots) {
        if (!rebuilt && s.at >= change) {
          for (; i < messages.length && messages[i].receivedAt < change; i++) engine.ingest(messages[i]);
          engine.tickTo(change);
          engine = rebuildEngine(engine, v2, catalogue);
          rebuilt = true;
        }
        for (; i < messages.length && messages[i].receivedAt <= s.at; i++) engine.ingest(messages[i]);
        one.set(s.at, engine.snapshot(s.at).indicators);
      }
      // Counts and values agree at every instant a grid step after the change (the means may differ by the
      // few hundred ms between the announcement and the merge's rebuild).
      const after = snapshots.filter((s) => s.at >= change + GRID);
      for (const s of after) {
        const strip = (rows: unknown) =>
          (
            rows as { id: string; scope: string; value: unknown; numerator: unknown; denominator: unknown }[]
          ).map(({ id, scope, value, numerator, denominator }) => ({
            id,
            scope,
            value,
            numerator,
            denominator,
          }));
        expect(strip(s.indicators)).toEqual(strip(one.get(s.at)));
      }
    },
  );
});
