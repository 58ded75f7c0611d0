// What an API node of the cluster merges: every partition's batch stream, read from its start, into one
// city (cluster/live-merge.ts), and the latest snapshot every partition has reached. Any number of API nodes
// read the same streams and hold the same city.
import type { Logger } from 'pino';
import type { Snapshot } from '../engine/city-engine.js';
import type { IndicatorDef } from '../indicators/definition.js';
import type { Inventory } from '../registry/inventory.js';
import { LiveMerge } from './live-merge.js';
import type { ClusterLog } from './log.js';
import type { SubjectReader } from './log-reader.js';
import { decodeBatch } from './partial-batch.js';

export class ApiNode {
  readonly merge: LiveMerge;
  private latestSnapshot: Snapshot | undefined;
  private readers: SubjectReader[] = [];
  /** Batches that could not be read or merged, per partition: the node then stops merging that partition. */
  readonly failed: number[];

  constructor(
    private readonly log: ClusterLog,
    inventory: Inventory,
    catalogue: readonly IndicatorDef[],
    readonly partitions: number,
    private readonly logger: Logger,
  ) {
    this.merge = new LiveMerge(inventory, catalogue, partitions);
    this.failed = new Array(partitions).fill(0);
    this.merge.onSnapshot.push((s) => {
      this.latestSnapshot = s;
    });
  }

  async start(): Promise<void> {
    for (let p = 0; p < this.partitions; p++) {
      this.readers.push(
        await this.log.readPartials(p, 0, (entry) => {
          try {
            this.merge.add(decodeBatch(entry.data));
          } catch (err) {
            this.failed[p]++;
            this.logger.error(
              { partition: p, seq: entry.seq, err: (err as Error).message },
              'could not merge a batch',
            );
          }
        }),
      );
    }
  }

  /** The city as of the latest instant every partition has reached. */
  latest(): Snapshot | undefined {
    return this.latestSnapshot;
  }

  async stop(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.stop()));
  }
}
