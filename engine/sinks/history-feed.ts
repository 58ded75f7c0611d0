// Feeds a history sink from the live engine: every device condition change as a `device_state` point,
// and indicator values as they change — plus all of them once a minute, so every bucket of a trend chart
// of a minute or more has a point even when nothing moved.
import { DEVICE_KINDS } from '../../registry/inventory.js';
import type { CityEngine, IndicatorValue, Snapshot } from '../city-engine.js';
import { AVAILABLE, ONLINE, SHARED } from '../city-model.js';
import { readingChanged } from '../indicator-publisher.js';
import { type HistorySink, indicatorPoints } from './points.js';

const FULL_EVERY_MS = 60_000;

export class HistoryFeed {
  private readonly last = new Map<string, IndicatorValue>();
  private lastFull = Number.NEGATIVE_INFINITY;

  constructor(readonly sink: HistorySink) {}

  /** Follow this engine's device changes (call again after the engine is rebuilt). */
  attach(engine: CityEngine): void {
    const m = engine.model;
    engine.devices.onChange.push((d, _old, mask, t) =>
      this.sink.write([
        {
          kind: 'device_state',
          device: m.deviceIds[d],
          deviceKind: DEVICE_KINDS[m.kind[d]],
          ts: t,
          online: (mask & ONLINE) !== 0,
          available: (mask & AVAILABLE) !== 0,
          shared: (mask & SHARED) !== 0,
          ...(t <= engine.lastSnapshotAt ? { afterInstant: true } : {}),
        },
      ]),
    );
  }

  onSnapshot(s: Snapshot): void {
    const full = s.at - this.lastFull >= FULL_EVERY_MS;
    if (full) this.lastFull = s.at;
    const points = indicatorPoints(s).filter((p) => {
      const key = `${p.id}\u0000${p.scope}`;
      const before = this.last.get(key);
      const changed = !before || readingChanged(before, p);
      if (changed || full)
        this.last.set(key, {
          id: p.id,
          scope: p.scope,
          value: p.value,
          numerator: p.numerator,
          denominator: p.denominator,
          means: p.means,
        });
      return changed || full;
    });
    if (points.length) this.sink.write(points);
  }
}
