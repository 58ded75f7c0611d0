// Error budgets in the running engine (issue 14 item 5): each objective's indicator value is kept as a step
// series as long as its window (or the longest burn window), fed at its exact change times; every tick
// evaluates the burn-rate rules (indicators/error-budget.ts) and raises or clears one `burn-rate` alert per
// objective and rule name (page, ticket), which go through the alert service's log and routes like
// threshold alerts. A restart hands back the open burn-rate alerts; the series is primed from history.
import { type BudgetState, budgetState, keepMsFor, type Objective } from '../../indicators/error-budget.js';
import { StepSeries } from '../../indicators/step-series.js';
import type { Alert, AlertEvent, BurnDetail } from './alert-machine.js';

const key = (indicator: string, scope: string) => `${indicator}\u0000${scope}`;
const openOf = (tr: Tracked): Alert[] =>
  [tr.open.page, tr.open.ticket].filter((a): a is Alert => a !== undefined);
const objectiveKey = (o: Objective) => `${key(o.indicator, o.scope)}\u0000${o.target}\u0000${o.window}`;

interface Tracked {
  objective: Objective;
  open: Partial<Record<'page' | 'ticket', Alert>>;
}

interface Line {
  series: StepSeries;
  keepMs: number;
  value: number | null;
  /** The live changes so far, kept until history primes the line (prime), at most MAX_PENDING. */
  pending: { t: number; value: number | null }[] | undefined;
}

/** Live changes held for a history read that never comes: past this, the line goes on without history. */
const MAX_PENDING = 10_000;

export class BudgetTracker {
  private tracked: Tracked[] = [];
  private readonly lines = new Map<string, Line>();
  /** Open burn-rate alerts no objective takes: cleared at the next instant the tracker hears. */
  private orphans: Alert[] = [];

  constructor(objectives: readonly Objective[], open: readonly Alert[] = []) {
    this.orphans = open.filter((a) => a.kind === 'burn-rate' && a.clearedAt === undefined);
    this.setObjectives(objectives);
  }

  objectives(): Objective[] {
    return this.tracked.map((t) => t.objective);
  }

  watched(indicator: string, scope: string): boolean {
    return this.lines.has(key(indicator, scope));
  }

  /**
   * Replace the objectives: an objective kept (same indicator, scope, target and window) keeps its open
   * alerts, a line kept keeps its series (a longer window starts a longer series from the value now); the
   * open alerts of an objective gone are cleared at the next tick.
   */
  setObjectives(objectives: readonly Objective[]): void {
    const before = new Map(this.tracked.map((t) => [objectiveKey(t.objective), t]));
    const pool = [...this.orphans, ...this.tracked.flatMap(openOf)];
    this.tracked = objectives.map((objective) => {
      const t: Tracked = { objective, open: { ...before.get(objectiveKey(objective))?.open } };
      for (const name of ['page', 'ticket'] as const) {
        if (t.open[name]) continue;
        const a = pool.find(
          (a) =>
            a.detail?.rule === name &&
            a.indicator === objective.indicator &&
            a.scope === objective.scope &&
            a.detail.target === objective.target &&
            a.detail.window === objective.window,
        );
        if (a) t.open[name] = a;
      }
      return t;
    });
    const kept = new Set(this.tracked.flatMap((t) => openOf(t).map((a) => a.alertId)));
    this.orphans = [...new Map(pool.map((a) => [a.alertId, a])).values()].filter((a) => !kept.has(a.alertId));
    const keep = new Map<string, number>();
    for (const { objective: o } of this.tracked) {
      const k = key(o.indicator, o.scope);
      keep.set(k, Math.max(keep.get(k) ?? 0, keepMsFor(o)));
    }
    for (const k of [...this.lines.keys()]) if (!keep.has(k)) this.lines.delete(k);
    for (const [k, keepMs] of keep) {
      const line = this.lines.get(k);
      if (line && line.keepMs >= keepMs) continue;
      this.lines.set(k, { series: new StepSeries(keepMs), keepMs, value: null, pending: [] });
    }
  }

  /** The (indicator, scope) lines and how far back each needs history. */
  historyLines(): { indicator: string; scope: string; keepMs: number }[] {
    return [...this.lines].map(([k, l]) => {
      const [indicator, scope] = k.split('\u0000');
      return { indicator, scope, keepMs: l.keepMs };
    });
  }

  /**
   * History from before the live values, oldest first, each point the value from its time on: the series
   * becomes the history up to the first live change, then the live changes. False when the line has gone
   * on without (more than MAX_PENDING live changes, or primed already).
   */
  prime(indicator: string, scope: string, points: readonly { t: number; value: number | null }[]): boolean {
    const line = this.lines.get(key(indicator, scope));
    if (!line?.pending) return false;
    const live = line.pending;
    const firstLive = live[0]?.t ?? Number.POSITIVE_INFINITY;
    const series = new StepSeries(line.keepMs);
    for (const p of points) if (p.t < firstLive) series.set(p.t, p.value);
    for (const p of live) series.set(p.t, p.value);
    line.series = series;
    line.pending = undefined;
    return true;
  }

  /** The value of (indicator, scope) changed at exactly t (never before the last change). */
  onValue(indicator: string, scope: string, value: number | null, t: number): void {
    const line = this.lines.get(key(indicator, scope));
    if (!line) return;
    line.series.set(t, value);
    line.value = value;
    if (line.pending) {
      line.pending.push({ t, value });
      if (line.pending.length > MAX_PENDING) line.pending = undefined;
    }
  }

  /** The clock reached t: raise what burns too fast, clear what no longer does. */
  onTime(t: number): AlertEvent[] {
    const events: AlertEvent[] = this.orphans.map((a) => ({
      type: 'clear',
      at: t,
      alert: { ...a, clearedAt: t },
    }));
    this.orphans = [];
    for (const tr of this.tracked) {
      const o = tr.objective;
      const line = this.lines.get(key(o.indicator, o.scope));
      if (!line) continue;
      const state = budgetState(line.series, o, t);
      for (const name of ['page', 'ticket'] as const) {
        const rule = state.firing[name];
        const open = tr.open[name];
        if (rule && !open) {
          const detail: BurnDetail = {
            rule: name,
            target: o.target,
            window: o.window,
            burnRate: rule.burnRate,
            windows: { [rule.long]: state.burnRates[rule.long], [rule.short]: state.burnRates[rule.short] },
            budgetLeft: state.budgetLeft,
          };
          const alert: Alert = {
            alertId: `${o.indicator}@${o.scope}@${name}@${t}`,
            kind: 'burn-rate',
            indicator: o.indicator,
            scope: o.scope,
            severity: name === 'page' ? 'critical' : 'major',
            below: o.target,
            clearAt: o.target,
            raisedAt: t,
            value: line.value ?? 0,
            detail,
          };
          tr.open[name] = alert;
          events.push({ type: 'raise', at: t, alert });
        } else if (!rule && open) {
          tr.open[name] = undefined;
          events.push({ type: 'clear', at: t, alert: { ...open, clearedAt: t } });
        }
      }
    }
    return events;
  }

  acknowledge(alertId: string, by: string, t: number): AlertEvent | undefined {
    for (const tr of this.tracked) {
      for (const name of ['page', 'ticket'] as const) {
        const a = tr.open[name];
        if (a?.alertId !== alertId || a.acknowledgedAt !== undefined) continue;
        tr.open[name] = { ...a, acknowledgedAt: t, acknowledgedBy: by };
        return { type: 'acknowledge', at: t, alert: tr.open[name] };
      }
    }
    return undefined;
  }

  /** Every objective's budget at t, with its open alerts. */
  states(t: number): { objective: Objective; state: BudgetState; open: Alert[] }[] {
    return this.tracked.map((tr) => {
      const line = this.lines.get(key(tr.objective.indicator, tr.objective.scope));
      const series = line?.series ?? new StepSeries(1);
      return {
        objective: tr.objective,
        state: budgetState(series, tr.objective, t),
        open: openOf(tr),
      };
    });
  }
}
