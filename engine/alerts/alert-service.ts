// Alerts in the running engine: value changes of watched indicators feed the state machine at their exact
// times, each snapshot moves its clock, and every event is logged and handed on (MQTT, dashboards).
import type { Threshold } from '../../registry/inventory.js';
import type { CityEngine, Snapshot } from '../city-engine.js';
import type { AlertLog } from './alert-log.js';
import { type Alert, type AlertEvent, AlertMachine } from './alert-machine.js';

export class AlertService {
  private machine: AlertMachine;
  /** An engine attached before its first input: its values are fed to the machine at the next snapshot. */
  private unprimed: CityEngine | undefined;

  constructor(
    thresholds: readonly Threshold[],
    private readonly log: AlertLog,
    private readonly emit: (e: AlertEvent) => void,
  ) {
    this.machine = new AlertMachine(thresholds, log.open());
  }

  /** New thresholds (from the API): open alerts whose threshold stays keep their state. */
  setThresholds(thresholds: readonly Threshold[], engine: CityEngine): void {
    this.machine = new AlertMachine(thresholds, this.log.open());
    this.attach(engine);
  }

  /** Follow this engine's values (call again after a rebuild); the current values count from now. */
  attach(engine: CityEngine): void {
    const m = engine.model;
    engine.indicators.onChange = (k, s, value, t) => {
      const id = m.indicators[k].def.id;
      const scope = m.scopes[s];
      if (this.machine.watched(id, scope)) this.handle(this.machine.onValue(id, scope, value, t));
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
  }

  acknowledge(alertId: string, by: string, t = Date.now()): Alert | undefined {
    const event = this.machine.acknowledge(alertId, by, t);
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
      }
    }
  }

  private handle(events: AlertEvent[]): void {
    for (const e of events) {
      this.log.record(e.alert);
      this.emit(e);
    }
  }
}
