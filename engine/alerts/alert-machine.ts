// Threshold alerts (CONTRACT §4), as a pure state machine driven by exact value-change times and by the
// engine clock: raised when a value stays below `below` for `forS` seconds (stamped at exactly
// pending-since + forS), cleared when it reaches `clearAt` (hysteresis: values between the two change
// nothing), acknowledged by a named person. A null value (an empty denominator) is not "below": it cancels
// a pending alert but does not clear a raised one.
import type { Threshold } from '../../registry/inventory.js';

export type AlertEventType = 'raise' | 'acknowledge' | 'clear';

export interface Alert {
  /** Stable and safe in a URL path: `<indicator>@<scope>@<raisedAt ms>`. */
  alertId: string;
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

interface Watch {
  threshold: Threshold;
  value: number | null;
  /** Since when the value has been below `below`, while not raised. */
  pendingSince: number | undefined;
  open: Alert | undefined;
}

const key = (indicator: string, scope: string) => `${indicator}\u0000${scope}`;

export class AlertMachine {
  private readonly watches = new Map<string, Watch[]>();

  /** @param open alerts still open from before a restart: they stay raised until their value clears them. */
  constructor(thresholds: readonly Threshold[], open: readonly Alert[] = []) {
    for (const threshold of thresholds) {
      const k = key(threshold.indicator, threshold.scope);
      const w: Watch = { threshold, value: null, pendingSince: undefined, open: undefined };
      w.open = open.find(
        (a) =>
          a.indicator === threshold.indicator &&
          a.scope === threshold.scope &&
          a.clearedAt === undefined &&
          a.below === threshold.below,
      );
      this.watches.set(k, [...(this.watches.get(k) ?? []), w]);
    }
  }

  /** Indicators and scopes that have a threshold: only their value changes need to be reported. */
  watched(indicator: string, scope: string): boolean {
    return this.watches.has(key(indicator, scope));
  }

  /** The value of (indicator, scope) changed at exactly t. */
  onValue(indicator: string, scope: string, value: number | null, t: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const w of this.watches.get(key(indicator, scope)) ?? []) {
      w.value = value;
      const { below, clearAt } = w.threshold;
      if (w.open) {
        if (value !== null && value >= clearAt) {
          w.open = { ...w.open, clearedAt: t };
          events.push({ type: 'clear', at: t, alert: w.open });
          w.open = undefined;
        }
      } else if (value !== null && value < below) {
        w.pendingSince ??= t;
      } else {
        w.pendingSince = undefined;
      }
      events.push(...this.due(w, t));
    }
    return events;
  }

  /** The clock reached t: raise what has stayed below long enough. */
  onTime(t: number): AlertEvent[] {
    const events: AlertEvent[] = [];
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
    return [{ type: 'raise', at: raiseAt, alert: w.open }];
  }
}
