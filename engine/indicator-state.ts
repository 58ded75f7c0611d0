// Incremental indicator state: numerators per (indicator, scope) moved by ± deltas as devices and routes
// change condition, values recomputed only for what moved, and each value's history kept as a step
// series for the time-weighted means of docs/contract.md §4.
import { percent } from '../indicators/formula.js';
import { StepSeries } from '../indicators/step-series.js';
import type { CityModel } from './city-model.js';

export class IndicatorState {
  readonly numerator: Float64Array;
  /** Devices in maintenance left out of an operational share's denominator, per (indicator, scope). */
  readonly excluded: Float64Array;
  /** What of an ISO ratio's gap is in maintenance (devices, assets or scaled weight), per (indicator, scope). */
  readonly plannedGap: Float64Array;
  /** Current value per (indicator, scope); NaN for null. */
  readonly value: Float64Array;
  readonly series: StepSeries[];
  private readonly S: number;
  private recording = false;
  /** Told of every value change (indicator, scope, value, exact time): alerts. */
  onChange: ((k: number, s: number, value: number | null, t: number) => void) | undefined;

  constructor(
    private readonly model: CityModel,
    keepMs: number,
  ) {
    this.S = model.scopes.length;
    const size = model.indicators.length * this.S;
    this.numerator = new Float64Array(size);
    this.excluded = new Float64Array(size);
    this.plannedGap = new Float64Array(size);
    this.value = new Float64Array(size).fill(Number.NaN);
    this.series = Array.from({ length: size }, () => new StepSeries(keepMs));
    for (let k = 0; k < model.indicators.length; k++) {
      for (let s = 0; s < this.S; s++) this.refresh(k, s, 0);
    }
  }

  /** From `t` on every change is recorded for the means (docs/contract.md §5: means start at the first input). */
  startRecording(t: number): void {
    this.recording = true;
    for (let i = 0; i < this.value.length; i++) {
      const v = this.value[i];
      this.series[i].set(t, !Number.isNaN(v) ? v : null);
    }
  }

  /**
   * Continue the histories of an engine built on an earlier registry: each (indicator, scope) that existed
   * keeps its series, which then steps to today's value at `t`; new ones start at `t`.
   */
  adoptSeries(previous: (k: number, s: number) => StepSeries | undefined, t: number): void {
    for (let k = 0; k < this.model.indicators.length; k++) {
      for (let s = 0; s < this.S; s++) {
        const i = k * this.S + s;
        const old = previous(k, s);
        if (old) this.series[i] = old;
        const v = this.value[i];
        this.series[i].set(t, Number.isNaN(v) ? null : v);
      }
    }
    this.recording = true;
  }

  /**
   * Add `delta` to indicator k's numerator for the city and for district scope s (0 = none), and
   * `excludedDelta` to the devices its denominator leaves out: one value change for both.
   */
  bump(k: number, s: number, delta: number, t: number, excludedDelta = 0): void {
    const row = k * this.S;
    this.numerator[row] += delta;
    this.excluded[row] += excludedDelta;
    this.refresh(k, 0, t);
    if (s > 0) {
      this.numerator[row + s] += delta;
      this.excluded[row + s] += excludedDelta;
      this.refresh(k, s, t);
    }
  }

  /** Add `delta` to what of indicator k's gap is planned, for the city and district scope s: no value moves. */
  plan(k: number, s: number, delta: number): void {
    const row = k * this.S;
    this.plannedGap[row] += delta;
    if (s > 0) this.plannedGap[row + s] += delta;
  }

  valueOf(k: number, s: number): number | null {
    const v = this.value[k * this.S + s];
    return !Number.isNaN(v) ? v : null;
  }

  private refresh(k: number, s: number, t: number): void {
    const i = k * this.S + s;
    const c = this.model.indicators[k];
    let v: number | null;
    if (c.type === 'ratio') {
      v = percent(this.numerator[i], this.model.denominator[i] - this.excluded[i]);
    } else {
      v = c.constant;
      for (const p of c.parts) {
        const part = this.value[p.indicator * this.S + s];
        if (Number.isNaN(part)) {
          v = null;
          break;
        }
        v += p.weight * part;
      }
    }
    const next = v ?? Number.NaN;
    const prev = this.value[i];
    if (next === prev || (Number.isNaN(next) && Number.isNaN(prev))) return;
    this.value[i] = next;
    if (this.recording) this.series[i].set(t, v);
    this.onChange?.(k, s, v, t);
    for (const w of this.model.dependents[k]) this.refresh(w, s, t);
  }
}
