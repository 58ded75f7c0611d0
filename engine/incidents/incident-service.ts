// Incidents in the running engine: each device's down/up transition reaches the grouper at its exact event
// time (a device in maintenance is never down here), each snapshot moves its clock, and every change is
// logged and handed on once per snapshot (MQTT, dashboards). Indicator alerts raised while an incident
// explains some of their devices are linked to it.
import type { IncidentRuleConfig } from '../../registry/inventory.js';
import type { Alert } from '../alerts/alert-machine.js';
import type { CityEngine } from '../city-engine.js';
import { AVAILABLE, GATEWAY, MAINTENANCE, ONLINE, SHARED } from '../city-model.js';
import { IncidentGrouper } from './grouper.js';
import {
  DEFAULT_INCIDENT_RULE,
  type Incident,
  type IncidentEventType,
  type IncidentRule,
  type IncidentTopology,
} from './incident.js';
import type { IncidentLog } from './incident-log.js';

const UP_BITS = ONLINE | MAINTENANCE;
/** A resolved incident's retained message is cleared this long after it resolved (the API keeps it). */
const FORGET_AFTER_MS = 3_600_000;
/** At start, the newest this many incidents are checked for retained messages to clear. */
const FORGET_AT_START = 1000;
const LIVE_BITS = ONLINE | AVAILABLE | SHARED;

/** What happened to one incident since the last snapshot, with the incident as it stands. */
export interface IncidentChange {
  incident: Incident;
  /** In order: a gateway's raise and its cameras joining are one change with events raised, grew…. */
  events: IncidentEventType[];
}

/** city.json `incidents` (seconds, percent) as the grouper takes it; the defaults where absent. */
export function incidentRule(config: IncidentRuleConfig | undefined): IncidentRule {
  if (!config) return DEFAULT_INCIDENT_RULE;
  return {
    districtWindowMs: config.districtWindowS * 1000,
    districtMinDevices: config.districtMinDevices,
    districtMinShare: config.districtMinShare / 100,
    holdMs: config.holdS * 1000,
  };
}

/** The inventory as the grouper asks it, read from the engine's compiled model. */
export function engineTopology(engine: CityEngine): IncidentTopology {
  const m = engine.model;
  const sizes = new Map<string, number>();
  for (let d = 0; d < m.deviceIds.length; d++) {
    if (m.scope[d] > 0) sizes.set(m.scopes[m.scope[d]], (sizes.get(m.scopes[m.scope[d]]) ?? 0) + 1);
  }
  const index = (id: string) => m.deviceIndex.get(id) ?? -1;
  return {
    gatewayOf: (id) => {
      const d = index(id);
      return d >= 0 && m.gateway[d] >= 0 ? m.deviceIds[m.gateway[d]] : undefined;
    },
    isGateway: (id) => {
      const d = index(id);
      return d >= 0 && m.kind[d] === GATEWAY;
    },
    districtOf: (id) => {
      const d = index(id);
      return d >= 0 && m.scope[d] > 0 ? m.scopes[m.scope[d]] : null;
    },
    districtSize: (district) => sizes.get(district) ?? 0,
  };
}

/**
 * Down, for incidents: heard at least once, not online, and not in maintenance. A device never heard is not
 * a failure (it may not be installed yet), and planned work raises nothing.
 */
const isDown = (engine: CityEngine, d: number, mask: number) =>
  (mask & UP_BITS) === 0 && !Number.isNaN(engine.devices.lastSeen[d]);

/** The devices down now, by id. */
export function devicesDownNow(engine: CityEngine): Set<string> {
  const out = new Set<string>();
  const mask = engine.devices.mask;
  for (let d = 0; d < mask.length; d++) if (isDown(engine, d, mask[d])) out.add(engine.model.deviceIds[d]);
  return out;
}

export class IncidentService {
  private readonly grouper: IncidentGrouper;
  private engine: CityEngine | undefined;

  /**
   * @param emit told of each incident that changed, once it is in the log (at the next snapshot).
   * @param onFault told of a throw while the engine reports a device change, which must not reach the engine.
   */
  constructor(
    private readonly log: IncidentLog,
    private readonly emit: (c: IncidentChange) => void,
    private readonly onFault: (err: unknown) => void = (err) => {
      throw err;
    },
    rule: IncidentRule = DEFAULT_INCIDENT_RULE,
  ) {
    // Topology comes with the first engine attached.
    this.grouper = new IncidentGrouper(
      { gatewayOf: () => undefined, isGateway: () => false, districtOf: () => null, districtSize: () => 0 },
      rule,
      log.open(),
    );
    // Incidents resolved before a restart still leave their retained topics (at the first tick if long ago).
    for (const i of log.list(FORGET_AT_START))
      if (i.resolvedAt !== undefined) this.resolved.set(i.id, i.resolvedAt);
  }

  /**
   * Told of each incident resolved `forgetAfterMs` ago (engine clock): its retained message can go, as the
   * log keeps it. Hooks are called in order; a throw in one is reported and the next still runs.
   */
  readonly onForget: ((id: string) => void)[] = [];
  /** How long a resolved incident stays on its retained topic. */
  forgetAfterMs = FORGET_AFTER_MS;
  /** Resolved incidents not yet forgotten → when they resolved. */
  private readonly resolved = new Map<string, number>();

  /** The rule after a change to city.json's `incidents`: incidents under way keep going under the new one. */
  setRule(rule: IncidentRule): void {
    this.grouper.setRule(rule);
  }

  /**
   * Follow this engine's device changes (call again after a rebuild). What changed while nobody listened (a
   * rebuild's carry-over) is reconciled at the engine's clock.
   */
  attach(engine: CityEngine): void {
    this.engine = engine;
    this.grouper.setTopology(engineTopology(engine));
    const ids = engine.model.deviceIds;
    engine.devices.onChange.push((d, old, mask, t) => {
      if (((old ^ mask) & UP_BITS) === 0) return;
      try {
        const wasDown = (old & UP_BITS) === 0;
        const down = isDown(engine, d, mask);
        if (down && !wasDown) this.grouper.onDown(ids[d], t);
        else if (!down && wasDown) this.grouper.onUp(ids[d], t);
      } catch (err) {
        this.onFault(err);
      }
    });
    this.reconcile();
  }

  /** Take the devices down now as the engine has them, at its clock (nothing before its first input). */
  reconcile(): void {
    const engine = this.engine;
    if (engine && Number.isFinite(engine.now)) this.grouper.reconcile(devicesDownNow(engine), engine.now);
  }

  /** The clock moved: holds that ended resolve; the changes are logged and handed on; old ones forgotten. */
  onSnapshot(s: { at: number }): void {
    this.grouper.advance(s.at);
    this.flush();
    for (const [id, resolvedAt] of this.resolved) {
      if (resolvedAt + this.forgetAfterMs > s.at) continue;
      this.resolved.delete(id);
      for (const hook of this.onForget) {
        try {
          hook(id);
        } catch (err) {
          this.onFault(err);
        }
      }
    }
  }

  /**
   * The open incidents explaining alert `a` (some device of theirs that is down feeds the alert's indicator in
   * its scope), linked to it in the log.
   */
  link(a: Pick<Alert, 'alertId' | 'indicator' | 'scope' | 'raisedAt'>): string[] {
    const engine = this.engine;
    if (!engine) return [];
    const m = engine.model;
    const k = m.indicators.findIndex((x) => x.def.id === a.indicator);
    if (k < 0) return [];
    // The indicators whose numerators reach k: k itself and the parts of a weighted k, at any depth.
    const feeding = new Set([k]);
    for (let grew = true; grew; ) {
      grew = false;
      m.dependents.forEach((deps, i) => {
        if (!feeding.has(i) && deps.some((j) => feeding.has(j))) {
          feeding.add(i);
          grew = true;
        }
      });
    }
    const ids = this.grouper.explaining((id) => {
      const d = m.deviceIndex.get(id);
      if (d === undefined) return false;
      if (a.scope !== 'city' && m.scopes[m.scope[d]] !== a.scope) return false;
      // Only memberships a device down can change: being registered (coverage) does not go down with it.
      return m.profiles[m.profile[d]].some((p) => (p.required & LIVE_BITS) !== 0 && feeding.has(p.indicator));
    });
    for (const id of ids) this.log.link(id, a.alertId, a.raisedAt);
    return ids;
  }

  /**
   * The indicators an incident's devices feed, by id: those their going down can move (live memberships, not
   * mere registration), and the weighted indicators made of those, at any depth. Where an operator looks for
   * its effect (the trend charts mark it there); empty for devices the registry no longer has.
   */
  indicatorsOf(i: Pick<Incident, 'devices' | 'effects'>): string[] {
    const m = this.engine?.model;
    if (!m) return [];
    const fed = new Set<number>();
    for (const id of [...i.devices, ...i.effects]) {
      const d = m.deviceIndex.get(id);
      if (d === undefined) continue;
      for (const p of m.profiles[m.profile[d]]) if ((p.required & LIVE_BITS) !== 0) fed.add(p.indicator);
    }
    for (const k of fed) for (const w of m.dependents[k]) fed.add(w);
    return [...fed]
      .map((k) => m.indicators[k].def.id)
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  /** Undefined when the incident is not open (unknown or resolved). */
  acknowledge(id: string, by: string, t = Date.now()): Incident | undefined {
    const acked = this.grouper.acknowledge(id, by, t);
    if (acked) this.flush();
    return acked;
  }

  list(limit?: number): Incident[] {
    return this.log.list(limit);
  }

  /** Not resolved, oldest first. */
  openIncidents(): Incident[] {
    return this.log.open();
  }

  get(id: string): Incident | undefined {
    return this.log.get(id);
  }

  alertsOf(id: string): string[] {
    return this.log.alertsOf(id);
  }

  private flush(): void {
    const events = this.grouper.takeEvents();
    if (!events.length) return;
    const changes = new Map<string, IncidentChange>();
    for (const e of events) {
      const c = changes.get(e.incident.id);
      if (c) c.events.push(e.type);
      else changes.set(e.incident.id, { incident: e.incident, events: [e.type] });
    }
    for (const c of changes.values()) {
      this.log.record(c.incident);
      if (c.incident.resolvedAt !== undefined) this.resolved.set(c.incident.id, c.incident.resolvedAt);
    }
    for (const c of changes.values()) {
      // One change that cannot be handed on (a broker gone) must not keep the next from going.
      try {
        this.emit(c);
      } catch (err) {
        this.onFault(err);
      }
    }
  }
}
