// A replay split into partitions and merged again, all in this thread: the reference the worker-thread
// replay (`citygauge replay --shards N`) and the property merge(split(x)) = x are checked against.
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import { CityMerge, MergeClock, type MergedSnapshot } from './merge.js';
import { partitionDevices } from './partition.js';
import { PartitionReplay } from './partition-replay.js';

/** Snapshots at `ats` (any order; returned ascending) of `lines` split over `partitions` and merged. */
export function replaySplit(
  inventory: Inventory,
  catalogue: readonly IndicatorDef[],
  lines: readonly string[],
  ats: readonly number[],
  partitions: number,
): MergedSnapshot[] {
  const sorted = [...ats].sort((a, b) => a - b);
  const partitionOf = partitionDevices(inventory, partitions);
  const clock = new MergeClock(new CityMerge(inventory, catalogue), partitions);
  const out: MergedSnapshot[] = [];
  clock.onSnapshot.push((s) => out.push(s));
  for (let p = 0; p < partitions; p++) {
    const replay = new PartitionReplay(inventory, catalogue, partitionOf, partitions, p, sorted, {
      events: (events, watermark) => clock.events(p, events, watermark),
      mark: (mark) => clock.mark(p, mark),
    });
    for (const line of lines) replay.line(line);
    replay.end();
  }
  return out;
}
