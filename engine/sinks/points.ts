// What the history keeps (issue 4): indicator values and device state changes, as plain data. Sinks
// (InfluxDB, the embedded SQLite store) write them; readers answer the history API from them.
import type { ValueQuality } from '../../indicators/quality.js';
import type { Snapshot } from '../city-engine.js';

export interface IndicatorPoint {
  kind: 'indicator';
  /** Tags. */
  id: string;
  scope: string;
  /** Epoch ms (engine clock). */
  ts: number;
  /** Fields; null values are left out of a point, not written as 0. */
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  /** Window means by window name ("1h", "24h"), written as fields `mean_1h`, `mean_24h`. */
  means: Record<string, number | null>;
  /** The value's quality (indicators/quality.ts), written to InfluxDB as fields `quality`, `coverage`, `staleness_ms`. */
  quality?: Pick<ValueQuality, 'flag' | 'coverage' | 'stalenessMs'>;
}

export interface DeviceStatePoint {
  kind: 'device_state';
  /** Tags. */
  device: string;
  deviceKind: string;
  /** Fields. */
  ts: number;
  online: boolean;
  available: boolean;
  shared: boolean;
  /**
   * Changed at `ts` but after the snapshot taken at `ts`: a deadline lapsing exactly at a snapshot's instant
   * (a device last heard exactly 3 × its interval before is still online in that snapshot). A recompute
   * applies it after that instant's values, as the live engine did.
   */
  afterInstant?: boolean;
}

export type HistoryPoint = IndicatorPoint | DeviceStatePoint;

export interface SinkStats {
  written: number;
  /** Points waiting on disk for the database to come back. */
  spooled: number;
  spoolBytes: number;
  /** Points refused by the database as bad data (4xx), logged with their line and never retried. */
  rejected: number;
  /** Raw device states dropped because the spool was full (indicator values are never dropped). */
  dropped: number;
}

/** Where points go: one small interface, several implementations. `write` never throws and never blocks. */
export interface HistorySink {
  write(points: readonly HistoryPoint[]): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): SinkStats;
}

export interface HistoryQuery {
  id: string;
  scope: string;
  from: number;
  to: number;
  /** Bucket width in ms: each bucket's mean value. */
  everyMs: number;
}

/** The history API's answer, the same from every store: `[{ts, value}]` with ts in RFC 3339. */
export interface HistoryReader {
  history(q: HistoryQuery): Promise<{ ts: string; value: number | null }[]>;
  /**
   * The bucket widths the store can answer for a range starting at `from`: whole multiples of `stepMs`,
   * and why. Absent: any width (InfluxDB groups by any duration).
   */
  buckets?(from: number): { stepMs: number; why: string };
}

/** The indicator points of a snapshot. */
export function indicatorPoints(s: Snapshot): IndicatorPoint[] {
  return s.indicators.map((i) => ({
    kind: 'indicator',
    id: i.id,
    scope: i.scope,
    ts: s.at,
    value: i.value,
    numerator: i.numerator,
    denominator: i.denominator,
    means: i.means,
    ...(i.quality
      ? {
          quality: { flag: i.quality.flag, coverage: i.quality.coverage, stalenessMs: i.quality.stalenessMs },
        }
      : {}),
  }));
}
