// History points as the engine's history feed writes them, for tests that fill a history store by hand.
import type { IndicatorPoint } from '../../engine/sinks/points.js';

/** An indicator's value at `ts`, with no numerator, denominator or window means. */
export const indicatorPoint = (
  id: string,
  ts: number,
  value: number | null,
  scope = 'city',
): IndicatorPoint => ({
  kind: 'indicator',
  id,
  scope,
  ts,
  value,
  numerator: null,
  denominator: null,
  means: {},
});
