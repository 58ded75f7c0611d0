// Deterministic replay: a recording through the same operator the live engine uses, as fast as the CPU
// allows, with snapshots at the requested instants (docs/contract.md §5).
import { lastValueFrom, toArray } from 'rxjs';
import type { CityEngine, Snapshot } from './city-engine.js';
import type { Inbound } from './inbound.js';
import { runEngine, withTicksAt } from './pipeline.js';
import { type RecordingOptions, readRecording } from './recording.js';
import type { RejectionReason } from './rejections.js';

/** Snapshots for `ats`, in ascending time order. */
export function replayRecording(
  engine: CityEngine,
  path: string,
  ats: readonly number[],
  opts: RecordingOptions & { onIngested?: (msg: Inbound, outcome: RejectionReason | undefined) => void } = {},
): Promise<Snapshot[]> {
  return lastValueFrom(
    readRecording(path, opts).pipe(withTicksAt(ats), runEngine(engine, opts.onIngested), toArray()),
  );
}
