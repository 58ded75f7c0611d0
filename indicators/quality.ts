// How sure an indicator value is (issue 14 item 3; the rule is in docs/indicators.md): from the devices
// expected to report behind it, how many were heard within their interval and how old the newest message
// is, all at the value's own (event) time, so a replay judges exactly as live did.

export type QualityFlag = 'good' | 'degraded' | 'unknown';

/** Below this share of its expected devices heard within their interval, a value is degraded (9 / 10). */
export const GOOD_COVERAGE = 0.9;

/** The devices behind one value at one instant. */
export interface QualityTally {
  /** Devices expected to report: those the value counts, less those in a maintenance window. */
  expected: number;
  /** Of those, heard at most their expected_interval_s before the instant. */
  heard: number;
  /** Receive time of the newest message from an expected device; -Infinity when none was ever heard. */
  newestAt: number;
}

export interface ValueQuality {
  flag: QualityFlag;
  /** heard / expected, null when no device is expected. */
  coverage: number | null;
  /** Age of the newest message behind the value (ms), null when none was ever heard. */
  stalenessMs: number | null;
  heard: number;
  expected: number;
  /** Why the flag is not good, in one line for the operations centre. */
  reason?: string;
}

export const emptyTally = (): QualityTally => ({ expected: 0, heard: 0, newestAt: Number.NEGATIVE_INFINITY });

/** Heard at `at`: its last message (NaN: none) came at most one interval before, and not after. */
export const isHeard = (lastSeen: number, intervalMs: number, at: number): boolean =>
  lastSeen <= at && at - lastSeen <= intervalMs;

/** A device's part in a tally at `at`: expected (unless in maintenance), heard when recent enough. */
export function addDevice(
  tally: QualityTally,
  lastSeen: number,
  intervalMs: number,
  at: number,
  inMaintenance: boolean,
): void {
  if (inMaintenance) return;
  tally.expected++;
  if (isHeard(lastSeen, intervalMs, at)) tally.heard++;
  if (lastSeen <= at && lastSeen > tally.newestAt) tally.newestAt = lastSeen;
}

/** Coverage to 9 decimal places, as values are reported. */
const round = (x: number) => Math.round(x * 1e9) / 1e9;

const devices = (n: number) => `${n.toLocaleString('en')} device${n === 1 ? '' : 's'}`;

/**
 * The quality of a ratio's value at `at`. `registryOnly`: its numerator counts registration alone (CCTV
 * coverage, the HD share), so the registry settles it and no message can make it more or less sure.
 */
export function judgeQuality(
  t: QualityTally,
  at: number,
  hasValue: boolean,
  registryOnly: boolean,
): ValueQuality {
  const coverage = t.expected > 0 ? round(t.heard / t.expected) : null;
  const stalenessMs = Number.isFinite(t.newestAt) ? at - t.newestAt : null;
  const base = { coverage, stalenessMs, heard: t.heard, expected: t.expected };
  if (!hasValue) return { flag: 'unknown', ...base, reason: 'no value: nothing to count it over' };
  if (registryOnly) return { flag: 'good', ...base };
  if (t.expected === 0)
    return { flag: 'unknown', ...base, reason: 'no device is expected to report for it now' };
  if (stalenessMs === null)
    return { flag: 'unknown', ...base, reason: `none of its ${devices(t.expected)} has been heard yet` };
  // In integers, so no rounding decides a flag: heard / expected < 0.9.
  if (10 * t.heard < 9 * t.expected) {
    const pct = Math.floor((100 * t.heard) / t.expected);
    return {
      flag: 'degraded',
      ...base,
      reason: `${t.heard.toLocaleString('en')} of ${devices(t.expected)} heard within their interval (${pct} %)`,
    };
  }
  return { flag: 'good', ...base };
}

const RANK: Readonly<Record<QualityFlag, number>> = { good: 0, degraded: 1, unknown: 2 };

/**
 * A weighted indicator: its tally is the sum of its parts' (a device behind two parts counts twice) and
 * its flag the worst of theirs (unknown worse than degraded), with that part's reason. With no indicator
 * among its parts (city flags only) it is good.
 */
export function judgeWeighted(
  parts: readonly { id: string; tally: QualityTally; quality: ValueQuality }[],
  at: number,
  hasValue: boolean,
): { tally: QualityTally; quality: ValueQuality } {
  const tally = emptyTally();
  let worst: (typeof parts)[number] | undefined;
  for (const p of parts) {
    tally.expected += p.tally.expected;
    tally.heard += p.tally.heard;
    if (p.tally.newestAt > tally.newestAt) tally.newestAt = p.tally.newestAt;
    if (worst === undefined || RANK[p.quality.flag] > RANK[worst.quality.flag]) worst = p;
  }
  const quality = judgeQuality(tally, at, hasValue, true);
  if (worst === undefined || worst.quality.flag === 'good') return { tally, quality };
  const flag = hasValue ? worst.quality.flag : 'unknown';
  return { tally, quality: { ...quality, flag, reason: `${worst.id}: ${worst.quality.reason}` } };
}
