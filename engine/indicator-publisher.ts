// Publishes indicator values retained on `city/indicators/<id>[/<district>]` (docs/contract.md §2): at most one
// message per indicator and scope per snapshot (the live engine snapshots twice a second), and only when the
// value, numerator or denominator changed, a window mean moved by at least 0.01 points — means drift
// every second, and a dashboard does not need every drift — or the value's quality changed.
import type { ValueQuality } from '../indicators/quality.js';
import type { IndicatorValue, Snapshot } from './city-engine.js';
import { topicProblem } from './topic-guard.js';

export type RetainedPublish = (topic: string, payload: string) => void;

export interface IndicatorMeta {
  name: string;
  unit: string;
}

const MEAN_STEP = 0.01;
const COVERAGE_STEP = 0.01;

export function indicatorTopic(id: string, scope: string): string {
  return scope === 'city' ? `city/indicators/${id}` : `city/indicators/${id}/${scope}`;
}

export class IndicatorPublisher {
  private readonly last = new Map<string, IndicatorValue>();
  published = 0;
  /** Topics refused by the guard (topic-guard.ts), each told to `onRefused` once. */
  private readonly refused = new Set<string>();
  /** Called once per refused topic, e.g. to log it. */
  readonly onRefused: ((topic: string, reason: string) => void)[] = [];

  constructor(
    private readonly meta: ReadonlyMap<string, IndicatorMeta>,
    private readonly publish: RetainedPublish,
  ) {}

  /** Topics refused so far. */
  get refusedTopics(): number {
    return this.refused.size;
  }

  /** Publish what changed in this snapshot; returns how many messages went out. */
  onSnapshot(s: Snapshot): number {
    let sent = 0;
    const ts = new Date(s.at).toISOString();
    for (const v of s.indicators) {
      const topic = indicatorTopic(v.id, v.scope);
      const before = this.last.get(topic);
      if (before && !changed(before, v)) continue;
      if (this.refused.has(topic)) continue;
      const problem = topicProblem(topic);
      if (problem) {
        this.refused.add(topic);
        for (const hook of this.onRefused) hook(topic, problem);
        continue;
      }
      this.last.set(topic, v);
      const m = this.meta.get(v.id);
      this.publish(
        topic,
        JSON.stringify({
          id: v.id,
          name: m?.name ?? v.id,
          scope: v.scope,
          value: v.value,
          numerator: v.numerator,
          denominator: v.denominator,
          unit: m?.unit ?? '%',
          ts,
          means: v.means,
          ...(v.excluded ? { excluded: v.excluded } : {}),
          ...(v.plannedGap !== undefined ? { plannedGap: v.plannedGap } : {}),
          ...(v.quality ? { quality: v.quality } : {}),
        }),
      );
      sent++;
    }
    this.published += sent;
    return sent;
  }
}

/** Value, numerator or denominator differ: what the history records as a change. */
export function readingChanged(
  a: Pick<IndicatorValue, 'value' | 'numerator' | 'denominator'>,
  b: Pick<IndicatorValue, 'value' | 'numerator' | 'denominator'>,
): boolean {
  return a.value !== b.value || a.numerator !== b.numerator || a.denominator !== b.denominator;
}

/**
 * The flag, its reason or the coverage by at least 0.01 (a big city's coverage moves a device at a time);
 * staleness grows every snapshot and is sent with whatever else goes out, as of `ts`.
 */
function qualityChanged(a: ValueQuality | undefined, b: ValueQuality | undefined): boolean {
  if (a === undefined || b === undefined) return a !== b;
  if (a.flag !== b.flag || a.reason !== b.reason || a.expected !== b.expected) return true;
  if (a.coverage === null || b.coverage === null) return a.coverage !== b.coverage;
  return Math.abs(a.coverage - b.coverage) >= COVERAGE_STEP;
}

function changed(a: IndicatorValue, b: IndicatorValue): boolean {
  if (readingChanged(a, b)) return true;
  if (a.excluded?.maintenance !== b.excluded?.maintenance || a.plannedGap !== b.plannedGap) return true;
  if (qualityChanged(a.quality, b.quality)) return true;
  for (const w of Object.keys(b.means)) {
    const x = a.means[w];
    const y = b.means[w];
    if (x === null || y === null ? x !== y : Math.abs(x - y) >= MEAN_STEP) return true;
  }
  return false;
}
