// History points as InfluxDB line protocol (issue 4 §1), built by the official client's `Point` so
// that escaping follows the client both transports are measured against.
import { Point } from '@influxdata/influxdb-client';
import type { DeviceStatePoint, HistoryPoint, IndicatorPoint } from './points.js';

// Timestamps are epoch ms and every write is sent with precision=ms.
const msPrecision = { convertTime: (v: string | number | Date | undefined) => String(Number(v)) };

/** Line protocol for one point, or undefined when it carries no field at all (nothing to write). */
export function toLine(p: HistoryPoint): string | undefined {
  return p.kind === 'indicator' ? indicatorLine(p) : deviceStateLine(p);
}

/** Line protocol for many points, skipping those without fields. */
export function toLines(points: readonly HistoryPoint[]): string[] {
  const lines: string[] = [];
  for (const p of points) {
    const line = toLine(p);
    if (line !== undefined) lines.push(line);
  }
  return lines;
}

function indicatorLine(p: IndicatorPoint): string | undefined {
  const point = new Point('indicator').tag('id', p.id).tag('scope', p.scope).timestamp(p.ts);
  // Null (and non-finite) values are left out, never written as 0: points.ts contract.
  addFloat(point, 'value', p.value);
  addFloat(point, 'numerator', p.numerator);
  addFloat(point, 'denominator', p.denominator);
  for (const [window, mean] of Object.entries(p.means)) addFloat(point, `mean_${window}`, mean);
  if (p.quality) {
    point.stringField('quality', p.quality.flag);
    addFloat(point, 'coverage', p.quality.coverage);
    addFloat(point, 'staleness_ms', p.quality.stalenessMs);
  }
  return point.toLineProtocol(msPrecision);
}

function deviceStateLine(p: DeviceStatePoint): string | undefined {
  const point = new Point('device_state')
    .tag('device', p.device)
    .tag('kind', p.deviceKind)
    .booleanField('online', p.online)
    .booleanField('available', p.available)
    .booleanField('shared', p.shared);
  if (p.afterInstant) point.booleanField('after_instant', true);
  return point.timestamp(p.ts).toLineProtocol(msPrecision);
}

function addFloat(point: Point, name: string, value: number | null): void {
  // The client throws on NaN/Infinity; InfluxDB cannot store them either.
  if (value !== null && Number.isFinite(value)) point.floatField(name, value);
}

/** Raw device states are the first to go when the spool is full (issue 4 §2). */
export function isDeviceStateLine(line: string): boolean {
  return line.startsWith('device_state,') || line.startsWith('device_state ');
}
