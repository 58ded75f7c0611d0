// What `citygauge recompute` reads from (and, with --write, rewrites in) a history store: the recorded
// device states, the instants the engine wrote history, and one indicator's stored points.
import type { DeviceStateRow, StoredPoint } from '../recompute.js';
import type { IndicatorPoint } from './points.js';

export interface RecomputeSource {
  /** Where, for messages: `embedded store …/history.sqlite`, `InfluxDB http://…`. */
  readonly where: string;
  /** The time of the first device state recorded at all, undefined when there is none. */
  firstState(): Promise<number | undefined>;
  /** Each device's last state at or before `t`. */
  statesAt(t: number): Promise<DeviceStateRow[]>;
  /** Every state in (after, to], in time order. */
  statesBetween(after: number, to: number): Promise<DeviceStateRow[]>;
  /** The distinct instants in [from, to] with any indicator point, ascending. */
  instants(from: number, to: number): Promise<number[]>;
  /** The stored points of indicator `id` in [from, to]. */
  points(id: string, from: number, to: number): Promise<StoredPoint[]>;
  /**
   * Replace the points of `id` in [from, to] with `points`, the recompute of `recomputedAt` (epoch ms);
   * returns how many stored points were replaced.
   */
  replace(
    id: string,
    from: number,
    to: number,
    points: readonly IndicatorPoint[],
    recomputedAt: number,
  ): Promise<number>;
  close(): Promise<void>;
}
