// Alerts in the running engine: value changes of watched indicators feed the state machine at their exact
// times, each snapshot moves its clock, and every event is logged and handed on (MQTT, dashboards).
import type { Objective } from '../../indicators/error-budget.js';
import type { Threshold } from '../../registry/inventory.js';
import type { CityEngine, Snapshot } from '../city-engine.js';
import type { AlertLog } from './alert-log.js';
import { type Alert, type AlertEvent, AlertMachine, type AlertWait } from './alert-machine.js';
import { BudgetTracker } from './budget-tracker.js';

/** The engine's clock, or the wall clock before its first input (a rebuild before any message). */
const clockOf = (engine: CityEngine) => (Number.isFinite(engine.now) ? engine.now : Date.now());

export class AlertService {
  private machine: AlertMachine;
  /** Error budgets and their burn-rate alerts (issue 14 item 5). */
  readonly budgets: BudgetTracker;
  /** An engine attached before its first input: its values are fed to the machine at the next snapshot. */
  private unprimed: CityEngine | undefined;

  /**
   * @param onFault told of a throw while the engine reports a value change (logging, publishing), which must
   * not reach the engine mid-update; without it the throw goes on.
   */
  constructor(
    thresholds: readonly Threshold[],
    private readonly log: AlertLog,
    private readonly emit: (e: AlertEvent) => void,
    private readonly onFault: (err: unknown) => void = (err) => {
      throw err;
    },
    objectives: readonly Objective[] = [],
  ) {
    // Open alerts and waits from before a restart: a value still below when first fed keeps its time.
    const open = log.open();
    this.machine = new AlertMachine(
      thresholds,
      open.filter((a) => a.kind !== 'burn-rate'),
      log.waits(),
    );
    this.budgets = new BudgetTracker(objectives, open);
  }

  /** The objectives after a change (city.json or the API): burn-rate alerts of one gone clear at the next tick. */
  setObjectives(objectives: readonly Objective[]): void {
    this.budgets.setObjectives(objectives);
  }

  /**
   * The thresholds after a registry change (devices or thresholds), at the engine's clock: the machine keeps
   * each wait and open alert whose threshold still means the same (AlertMachine.setThresholds), then follows
   * the new engine, whose values are fed as they stand (a value still below keeps its pending-since).
   */
  setThresholds(thresholds: readonly Threshold[], engine: CityEngine, t = clockOf(engine)): void {
    this.handle(this.machine.setThresholds(thresholds, t));
    this.attach(engine);
  }

  /** Follow this engine's values (call again after a rebuild); the current values are fed at its clock. */
  attach(engine: CityEngine): void {
    const m = engine.model;
    engine.indicators.onChange = (k, s, value, t) => {
      try {
        const id = m.indicators[k].def.id;
        const scope = m.scopes[s];
        if (this.machine.watched(id, scope)) this.handle(this.machine.onValue(id, scope, value, t));
        this.budgets.onValue(id, scope, value, t);
      } catch (err) {
        this.onFault(err);
      }
    };
    // Before its first input the engine has no time to stamp its values with: the live clock's first
    // snapshot gives one, so a value that is below from the start (every sensor down) still raises.
    this.unprimed = engine.origin === undefined ? engine : undefined;
    if (!this.unprimed) this.feedValues(engine, engine.now);
  }

  onSnapshot(s: Snapshot): void {
    const unprimed = this.unprimed;
    this.unprimed = undefined;
    if (unprimed) this.feedValues(unprimed, s.at);
    this.handle(this.machine.onTime(s.at));
    this.handle(this.budgets.onTime(s.at));
  }

  acknowledge(alertId: string, by: string, t = Date.now()): Alert | undefined {
    const event = this.machine.acknowledge(alertId, by, t) ?? this.budgets.acknowledge(alertId, by, t);
    if (event) this.handle([event]);
    return event?.alert;
  }

  list(limit?: number): Alert[] {
    return this.log.list(limit);
  }

  get(alertId: string): Alert | undefined {
    return this.log.get(alertId);
  }

  /** The current values of the watched indicators, as if they changed at t (a value kept keeps its time). */
  private feedValues(engine: CityEngine, t: number): void {
    const m = engine.model;
    for (let k = 0; k < m.indicators.length; k++) {
      for (let s = 0; s < m.scopes.length; s++) {
        const id = m.indicators[k].def.id;
        if (this.machine.watched(id, m.scopes[s])) {
          this.handle(this.machine.onValue(id, m.scopes[s], engine.indicators.valueOf(k, s), t));
        }
        if (this.budgets.watched(id, m.scopes[s]))
          this.budgets.onValue(id, m.scopes[s], engine.indicators.valueOf(k, s), t);
      }
    }
  }

  /** The waits under way (since when each watched value has been below its line). */
  waits(): AlertWait[] {
    return this.machine.waits();
  }

  private handle(events: AlertEvent[]): void {
    for (const w of this.machine.takeWaitChanges()) this.log.recordWait(w);
    for (const e of events) {
      this.log.record(e.alert);
      // One event that cannot be handed on (a broker gone) must not keep the next from the log.
      try {
        this.emit(e);
      } catch (err) {
        this.onFault(err);
      }
    }
  }
}
