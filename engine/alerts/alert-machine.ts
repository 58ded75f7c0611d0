// Threshold alerts (docs/contract.md §4), as a pure state machine driven by exact value-change times and by the
// engine clock: raised when a value stays below `below` for `forS` seconds (stamped at exactly
// pending-since + forS), cleared when it reaches `clearAt` (hysteresis: values between the two change
// nothing), acknowledged by a named person. A null value (an empty denominator) is not "below": it cancels
// a pending alert but does not clear a raised one.
//
// Its state outlives whatever replaces the parts around it: a registry rebuild keeps the machine, new
// thresholds are matched to the old watches (setThresholds), and a restart hands back the open alerts and
// the waits under way (since when a value has been below), so no change ever restarts a wait.
import type { Threshold } from '../../registry/inventory.js';

export type AlertEventType = 'raise' | 'acknowledge' | 'clear';

/** What a burn-rate alert (engine/alerts/budget-tracker.ts) says beyond a threshold alert. */
export interface BurnDetail {
  rule: 'page' | 'ticket';
  /** The objective: its target (percent) and window. */
  target: number;
  window: string;
  /** The rate both windows exceeded. */
  burnRate: number;
  /** The burn rate of each of the rule's two windows when raised, by window (`1h`, `5m`). */
  windows: Record<string, number | null>;
  /** Budget left over the objective's window when raised (1 untouched, 0 spent). */
  budgetLeft: number | null;
}

export interface Alert {
  /**
   * Stable and safe in a URL path: `<indicator>@<scope>@<raisedAt ms>`, or `<indicator>@<scope>@<rule>@<raisedAt
   * ms>` for a burn-rate alert.
   */
  alertId: string;
  /** Absent means `threshold`. */
  kind?: 'threshold' | 'burn-rate';
  /** Burn-rate alerts only. */
  detail?: BurnDetail;
  indicator: string;
  scope: string;
  severity: Threshold['severity'];
  below: number;
  clearAt: number;
  raisedAt: number;
  /** The value when it was raised. */
  value: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  clearedAt?: number;
}

export interface AlertEvent {
  type: AlertEventType;
  at: number;
  alert: Alert;
}

/**
 * A wait under way: the value of (indicator, scope) has been below `below` since `since`. It is a fact about
 * the value, shared by every threshold with that line; `since` undefined means the wait ended.
 */
export interface AlertWait {
  indicator: string;
  scope: string;
  below: number;
  since?: number;
}

interface Watch {
  threshold: Threshold;
  value: number | null;
  /** Since when the value has been below `below`, while not raised. */
  pendingSince: number | undefined;
  /** A wait from before a restart: taken up by the first value fed, if that value is still below. */
  restoredSince: number | undefined;
  open: Alert | undefined;
}

const key = (indicator: string, scope: string) => `${indicator}\u0000${scope}`;
const waitKey = (w: { indicator: string; scope: string; below: number }) =>
  `${w.indicator}\u0000${w.scope}\u0000${w.below}`;

type Line = Pick<Threshold, 'indicator' | 'scope' | 'below'>;
const sameLine = (a: Line, b: Line) =>
  a.indicator === b.indicator && a.scope === b.scope && a.below === b.below;

/**
 * Pair items with watches, best match first: each pass only pairs what the earlier, stricter ones left.
 * Returns the items no watch took.
 */
function pairUp<T>(
  watches: readonly Watch[],
  items: readonly T[],
  passes: readonly ((w: Watch, item: T) => boolean)[],
  take: (w: Watch, item: T) => void,
): T[] {
  const taken = new Set<Watch>();
  let left = [...items];
  for (const fits of passes) {
    left = left.filter((item) => {
      const w = watches.find((c) => !taken.has(c) && fits(c, item));
      if (!w) return true;
      taken.add(w);
      take(w, item);
      return false;
    });
  }
  return left;
}

const newWatch = (threshold: Threshold): Watch => ({
  threshold,
  value: null,
  pendingSince: undefined,
  restoredSince: undefined,
  open: undefined,
});

export class AlertMachine {
  private watches = new Map<string, Watch[]>();
  /** Open alerts with no threshold left to clear them: cleared at the next instant the machine hears. */
  private orphans: Alert[] = [];
  /** Waits started or ended since the last takeWaitChanges, by line. */
  private readonly changedWaits = new Map<string, Line>();

  /**
   * @param open alerts still open from before a restart: they stay raised until their value clears them.
   * @param waits waits under way before a restart: a value still below when first fed keeps its `since`.
   */
  constructor(
    thresholds: readonly Threshold[],
    open: readonly Alert[] = [],
    waits: readonly AlertWait[] = [],
  ) {
    const fresh = thresholds.map(newWatch);
    this.orphans = this.adoptOpen(fresh, open);
    for (const w of fresh) w.restoredSince = waits.find((s) => sameLine(s, w.threshold))?.since;
    this.index(fresh);
  }

  /** Indicators and scopes that have a threshold: only their value changes need to be reported. */
  watched(indicator: string, scope: string): boolean {
    return this.watches.has(key(indicator, scope));
  }

  /**
   * Replace the thresholds at t, keeping what each still means. A new threshold takes over the old watch
   * on the same line (indicator, scope, `below`), preferring one with the same severity and everything
   * else equal: the value, the wait (a changed `forS` counts from the same pending-since) and the open
   * alert (cleared at the new `clearAt`). A new line starts waiting now if its value is below. An open
   * alert whose line is gone has nothing left to clear it: it is cleared at t.
   */
  setThresholds(thresholds: readonly Threshold[], t: number): AlertEvent[] {
    const old = [...this.watches.values()].flat();
    const fresh = thresholds.map(newWatch);
    const same = (a: Threshold, b: Threshold) => sameLine(a, b) && a.severity === b.severity;
    const identical = (a: Threshold, b: Threshold) =>
      same(a, b) && a.clearAt === b.clearAt && a.forS === b.forS;
    const dropped = pairUp(
      fresh,
      old,
      [
        (w, o) => identical(w.threshold, o.threshold),
        (w, o) => same(w.threshold, o.threshold),
        (w, o) => sameLine(w.threshold, o.threshold),
      ],
      (w, o) => {
        w.value = o.value;
        w.pendingSince = o.pendingSince;
        w.restoredSince = o.restoredSince;
        w.open = o.open;
      },
    );
    const events: AlertEvent[] = [];
    for (const w of fresh) {
      if (w.open || w.pendingSince !== undefined || w.restoredSince !== undefined) continue;
      const { indicator, scope, below } = w.threshold;
      const sibling = old.find((o) => o.threshold.indicator === indicator && o.threshold.scope === scope);
      if (!sibling) continue;
      w.value = sibling.value;
      // The wait is a fact of the line, so another threshold on the same line knows since when.
      const kin = old.find(
        (o) => sameLine(o.threshold, w.threshold) && (o.pendingSince ?? o.restoredSince) !== undefined,
      );
      w.restoredSince = kin?.restoredSince;
      if (w.value === null || w.value >= below) continue;
      w.pendingSince = kin?.pendingSince ?? t;
    }
    for (const w of [...old, ...fresh]) this.changedWaits.set(waitKey(w.threshold), w.threshold);
    this.orphans.push(...dropped.flatMap((o) => (o.open ? [o.open] : [])));
    this.watches = new Map();
    this.index(fresh);
    events.push(...this.clearOrphans(t));
    for (const w of fresh) {
      // A lowered clearAt the value already reaches clears the alert at the change.
      if (w.open && w.value !== null && w.value >= w.threshold.clearAt) {
        events.push({ type: 'clear', at: t, alert: { ...w.open, clearedAt: t } });
        w.open = undefined;
      }
      events.push(...this.due(w, t));
    }
    return events;
  }

  /** The value of (indicator, scope) changed at exactly t. */
  onValue(indicator: string, scope: string, value: number | null, t: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const w of this.watches.get(key(indicator, scope)) ?? []) {
      w.value = value;
      const { below, clearAt } = w.threshold;
      const restored = w.restoredSince;
      w.restoredSince = undefined;
      if (w.open) {
        if (value !== null && value >= clearAt) {
          w.open = { ...w.open, clearedAt: t };
          events.push({ type: 'clear', at: t, alert: w.open });
          w.open = undefined;
        }
      } else if (value !== null && value < below) {
        if (w.pendingSince === undefined) {
          w.pendingSince = restored !== undefined && restored <= t ? restored : t;
          this.changedWaits.set(waitKey(w.threshold), w.threshold);
        }
      } else if (w.pendingSince !== undefined || restored !== undefined) {
        w.pendingSince = undefined;
        this.changedWaits.set(waitKey(w.threshold), w.threshold);
      }
      events.push(...this.due(w, t));
    }
    return events;
  }

  /** The clock reached t: raise what has stayed below long enough. */
  onTime(t: number): AlertEvent[] {
    const events = this.clearOrphans(t);
    for (const list of this.watches.values()) for (const w of list) events.push(...this.due(w, t));
    return events;
  }

  acknowledge(alertId: string, by: string, t: number): AlertEvent | undefined {
    for (const list of this.watches.values()) {
      for (const w of list) {
        if (w.open?.alertId !== alertId || w.open.acknowledgedAt !== undefined) continue;
        w.open = { ...w.open, acknowledgedAt: t, acknowledgedBy: by };
        return { type: 'acknowledge', at: t, alert: w.open };
      }
    }
    return undefined;
  }

  openAlerts(): Alert[] {
    return [...this.watches.values()].flat().flatMap((w) => (w.open ? [w.open] : []));
  }

  /** The waits under way, one per line. */
  waits(): AlertWait[] {
    const lines = new Map<string, Line>();
    for (const list of this.watches.values())
      for (const w of list) lines.set(waitKey(w.threshold), w.threshold);
    return [...lines.values()].map((l) => this.waitOf(l)).filter((w) => w.since !== undefined);
  }

  /** The lines whose wait started or ended since the last call, with their `since` now (to persist). */
  takeWaitChanges(): AlertWait[] {
    if (this.changedWaits.size === 0) return [];
    const changed = [...this.changedWaits.values()].map((l) => this.waitOf(l));
    this.changedWaits.clear();
    return changed;
  }

  private waitOf({ indicator, scope, below }: Line): AlertWait {
    let since: number | undefined;
    for (const w of this.watches.get(key(indicator, scope)) ?? []) {
      if (w.threshold.below !== below) continue;
      const s = w.pendingSince ?? w.restoredSince;
      if (s !== undefined && (since === undefined || s < since)) since = s;
    }
    return since === undefined ? { indicator, scope, below } : { indicator, scope, below, since };
  }

  /** Each open alert goes back to the watch it was raised by; returns those no threshold takes. */
  private adoptOpen(fresh: Watch[], open: readonly Alert[]): Alert[] {
    return pairUp(
      fresh,
      open.filter((a) => a.clearedAt === undefined),
      [
        (w, a) =>
          sameLine(w.threshold, a) &&
          w.threshold.severity === a.severity &&
          w.threshold.clearAt === a.clearAt,
        (w, a) => sameLine(w.threshold, a) && w.threshold.severity === a.severity,
        (w, a) => sameLine(w.threshold, a),
      ],
      (w, a) => {
        w.open = a;
      },
    );
  }

  private index(watches: Watch[]): void {
    for (const w of watches) {
      const k = key(w.threshold.indicator, w.threshold.scope);
      this.watches.set(k, [...(this.watches.get(k) ?? []), w]);
    }
  }

  private clearOrphans(t: number): AlertEvent[] {
    const events = this.orphans.map(
      (a): AlertEvent => ({ type: 'clear', at: t, alert: { ...a, clearedAt: t } }),
    );
    this.orphans = [];
    return events;
  }

  private due(w: Watch, t: number): AlertEvent[] {
    if (w.open || w.pendingSince === undefined) return [];
    const raiseAt = w.pendingSince + w.threshold.forS * 1000;
    if (raiseAt > t) return [];
    const { indicator, scope, severity, below, clearAt } = w.threshold;
    w.open = {
      alertId: `${indicator}@${scope}@${raiseAt}`,
      indicator,
      scope,
      severity,
      below,
      clearAt,
      raisedAt: raiseAt,
      value: w.value ?? below,
    };
    w.pendingSince = undefined;
    this.changedWaits.set(waitKey(w.threshold), w.threshold);
    return [{ type: 'raise', at: raiseAt, alert: w.open }];
  }
}
