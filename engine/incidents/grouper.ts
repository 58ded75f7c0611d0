// Root-cause incidents (issue 14 item 1; the rule is in docs/incidents.md), as a pure state machine driven by
// device down/up transitions at their exact event times and by the engine clock. A gateway down is one
// incident naming the cameras dark behind it; many devices of one district down within a window is one
// district incident; anything else is one device's incident. An incident resolves only once its causes have
// stayed up for a hold time, so a flapping link keeps one incident open instead of opening one a minute.
// "Down" here means not online and not in maintenance: planned work raises nothing (the caller filters).

import {
  DEFAULT_INCIDENT_RULE,
  districtThreshold,
  type Incident,
  type IncidentCause,
  type IncidentEvent,
  type IncidentEventType,
  type IncidentRule,
  type IncidentTopology,
} from './incident.js';

const compactTime = (t: number) => new Date(t).toISOString().replace(/[-:.]/g, '');

export class IncidentGrouper {
  /** Incidents not resolved yet, by id. */
  private readonly active = new Map<string, Incident>();
  /** Each device of an active incident (cause or effect, down or back up) → that incident's id. */
  private readonly owner = new Map<string, string>();
  /** Devices down now (not online, not in maintenance). */
  private readonly down = new Set<string>();
  /** Cause devices down now → when they went down: the district window counts them. */
  private readonly causeDownAt = new Map<string, number>();
  /**
   * Per district, its cause devices as they went down, oldest first: the district window reads the recent end
   * and drops what fell out of it, so a long outage costs each new failure nothing for the old ones.
   */
  private readonly districtFailures = new Map<string, { device: string; at: number }[]>();
  /** Each active incident's cause devices, and how many of them are down now (it recovers at 0). */
  private readonly causes = new Map<string, { members: Set<string>; down: number }>();
  /** Each district's active district incidents. */
  private readonly districtIncidents = new Map<string, Set<string>>();
  /**
   * Incidents as they started recovering, in that order (the clock only moves on): the hold ends first for
   * the first. One that failed again is skipped when its turn comes.
   */
  private recovering: { id: string; since: number }[] = [];
  private recoveringHead = 0;
  private events: IncidentEvent[] = [];
  private clock = Number.NEGATIVE_INFINITY;

  constructor(
    private topology: IncidentTopology,
    private rule: IncidentRule = DEFAULT_INCIDENT_RULE,
    restored: readonly Incident[] = [],
  ) {
    // Incidents not resolved before a restart. An open one's devices are taken as down until told otherwise
    // (reconcile() with the engine's restored states, or each device's next message), so one that stays
    // silent keeps it open; a recovering one's causes were up.
    for (const i of restored) {
      if (i.status === 'resolved') continue;
      const copy = structuredClone(i);
      const members = [...copy.devices, ...copy.effects];
      for (const d of members) this.owner.set(d, copy.id);
      if (copy.status === 'open') for (const d of members) this.down.add(d);
      copy.downNow = copy.status === 'open' ? members.length : 0;
      this.track(copy);
    }
    const waiting = [...this.active.values()].filter((i) => i.status === 'recovering');
    waiting.sort((a, b) => (a.recoveringSince as number) - (b.recoveringSince as number));
    for (const i of waiting) this.recovering.push({ id: i.id, since: i.recoveringSince as number });
  }

  setRule(rule: IncidentRule): void {
    this.rule = rule;
  }

  /** The inventory changed (devices added, moved, removed). */
  setTopology(topology: IncidentTopology): void {
    this.topology = topology;
  }

  /** The incidents not resolved yet, oldest first. */
  open(): Incident[] {
    return [...this.active.values()].sort((a, b) => a.raisedAt - b.raisedAt).map((i) => structuredClone(i));
  }

  get(id: string): Incident | undefined {
    const i = this.active.get(id);
    return i && structuredClone(i);
  }

  /** The incident a device belongs to now, if any (an indicator alert links to it). */
  incidentOf(device: string): string | undefined {
    return this.owner.get(device);
  }

  /** The events since the last call, in time order, each with its incident as it stands now. */
  takeEvents(): IncidentEvent[] {
    const copies = new Map<Incident, Incident>();
    const out = this.events.map((e) => {
      let copy = copies.get(e.incident);
      if (!copy) {
        copy = structuredClone(e.incident);
        copies.set(e.incident, copy);
      }
      return { ...e, incident: copy };
    });
    this.events = [];
    return out;
  }

  /** The incidents with a cause down now that have a device down matching `explains` (alert linking). */
  explaining(explains: (device: string) => boolean): string[] {
    const ids: string[] = [];
    for (const i of this.active.values()) {
      if (i.status !== 'open') continue;
      if ([...i.devices, ...i.effects].some((d) => this.down.has(d) && explains(d))) ids.push(i.id);
    }
    return ids;
  }

  /** Device went down (lost online outside maintenance) at t. */
  onDown(device: string, t: number): void {
    this.advance(t);
    if (this.down.has(device)) return;
    this.down.add(device);
    const ownerId = this.owner.get(device);
    const owned = ownerId === undefined ? undefined : this.active.get(ownerId);
    if (owned) {
      owned.downNow++;
      const causes = this.causes.get(owned.id) as { members: Set<string>; down: number };
      if (!causes.members.has(device)) return;
      causes.down++;
      if (owned.status === 'recovering') {
        owned.status = 'open';
        owned.recoveringSince = undefined;
        owned.refailures++;
        this.emit('refailed', t, owned);
      }
      this.causeDown(device, t);
      return;
    }
    // A camera behind a down gateway is an effect of whatever incident holds the gateway.
    const g = this.topology.gatewayOf(device);
    const gatewayIncident = g !== undefined && this.down.has(g) ? this.owner.get(g) : undefined;
    if (gatewayIncident !== undefined) {
      this.join(this.active.get(gatewayIncident) as Incident, device, t, 'effect');
      return;
    }
    const district = this.causeDown(device, t);
    if (district !== null && this.districtCause(device, district, t)) return;
    const cause: IncidentCause = this.topology.isGateway(device) ? 'gateway' : 'device';
    this.raise(cause, device, district, t, [device]);
  }

  /** Device came back (online, or into maintenance) at t. */
  onUp(device: string, t: number): void {
    this.advance(t);
    if (!this.down.delete(device)) return;
    this.causeDownAt.delete(device);
    const id = this.owner.get(device);
    const i = id === undefined ? undefined : this.active.get(id);
    if (!i) return;
    i.downNow--;
    const causes = this.causes.get(i.id) as { members: Set<string>; down: number };
    if (causes.members.has(device)) causes.down--;
    if (i.status === 'open' && causes.down === 0) this.startRecovering(i, t);
  }

  /**
   * Take the devices down now as the engine has them (after a restart, or a registry rebuild that carried
   * state over without telling): devices no longer down come up, new ones go down, all at t. A restored
   * incident none of whose causes is down starts its hold at t.
   */
  reconcile(downNow: ReadonlySet<string>, t: number): void {
    for (const d of [...this.down]) if (!downNow.has(d)) this.onUp(d, t);
    for (const d of downNow) if (!this.down.has(d)) this.onDown(d, t);
    for (const i of this.active.values())
      if (i.status === 'open' && this.causes.get(i.id)?.down === 0) this.startRecovering(i, t);
  }

  /** A person acknowledged the incident at t; undefined when it is not open (unknown or resolved). */
  acknowledge(id: string, by: string, t: number): Incident | undefined {
    const i = this.active.get(id);
    if (!i) return undefined;
    i.acknowledgedAt = t;
    i.acknowledgedBy = by;
    i.timeline.push({ at: t, kind: 'acknowledged', by });
    this.emit('acknowledged', t, i);
    return structuredClone(i);
  }

  /** The clock moved to t: incidents whose causes stayed up for the hold resolve, at exactly that instant. */
  advance(t: number): void {
    if (t <= this.clock) return;
    this.clock = t;
    const queue = this.recovering;
    while (this.recoveringHead < queue.length && queue[this.recoveringHead].since + this.rule.holdMs <= t) {
      const { id, since } = queue[this.recoveringHead++];
      const i = this.active.get(id);
      // Failed again (or merged) since it started recovering: this turn is not its.
      if (i?.status === 'recovering' && i.recoveringSince === since)
        this.resolve(i, since + this.rule.holdMs);
    }
    if (this.recoveringHead > 1024 && this.recoveringHead * 2 > queue.length) {
      this.recovering = queue.slice(this.recoveringHead);
      this.recoveringHead = 0;
    }
  }

  /**
   * A cause device of `district` went down at t: it joins the district's incident if one grew within the
   * window, or raises one when enough of the district fell within the window. True when it did either.
   */
  private districtCause(device: string, district: string, t: number): boolean {
    const window = this.rule.districtWindowMs;
    for (const id of this.districtIncidents.get(district) ?? []) {
      const i = this.active.get(id) as Incident;
      const lastGrowth =
        i.timeline.findLast((e) => e.kind === 'raised' || e.kind === 'grew')?.at ?? i.raisedAt;
      if (t - lastGrowth <= window) {
        this.join(i, device, t, 'cause');
        return true;
      }
    }
    // The district's cause devices down within the window and still down since then, as they went down. A
    // device already in one of the district's incidents (it failed again inside it) starts no other.
    const failures = this.districtFailures.get(district) ?? [];
    let first = 0;
    while (first < failures.length && t - failures[first].at > window) first++;
    if (first > 0) failures.splice(0, first);
    const recent = failures
      .filter(({ device: d, at }) => this.causeDownAt.get(d) === at)
      .filter(({ device: d }) => this.active.get(this.owner.get(d) ?? '')?.cause !== 'district')
      .map(({ device: d }) => d);
    if (recent.length < districtThreshold(this.rule, this.topology.districtSize(district))) return false;
    // The incidents the power cut explains: those of the recent devices, taken over whole (their cameras too).
    const taken = new Set<string>();
    for (const d of recent) {
      const id = this.owner.get(d);
      if (id !== undefined) taken.add(id);
    }
    const devices = recent.filter((d) => this.owner.get(d) === undefined);
    const effects: string[] = [];
    for (const id of taken) {
      const old = this.active.get(id) as Incident;
      devices.push(...old.devices);
      effects.push(...old.effects);
    }
    const raisedDevices = [...devices].sort(
      (a, b) => (this.causeDownAt.get(a) ?? t) - (this.causeDownAt.get(b) ?? t),
    );
    const inc = this.raise('district', district, district, t, raisedDevices, effects);
    for (const id of taken) this.merge(this.active.get(id) as Incident, inc, t);
    return true;
  }

  private raise(
    cause: IncidentCause,
    subject: string,
    district: string | null,
    t: number,
    devices: string[],
    effects: string[] = [],
  ): Incident {
    const members = [...devices, ...effects];
    const i: Incident = {
      id: `${subject}-${compactTime(t)}`,
      cause,
      subject,
      district,
      status: 'open',
      raisedAt: t,
      devices,
      effects,
      downNow: members.filter((d) => this.down.has(d)).length,
      refailures: 0,
      timeline: [{ at: t, kind: 'raised', devices: members }],
    };
    for (const d of members) this.owner.set(d, i.id);
    this.track(i);
    this.emit('raised', t, i);
    return i;
  }

  /** Device went down at t as part of incident i: a cause, or a camera behind one of its gateways. */
  private join(i: Incident, device: string, t: number, as: 'cause' | 'effect'): void {
    (as === 'cause' ? i.devices : i.effects).push(device);
    i.downNow++;
    if (as === 'cause') {
      const causes = this.causes.get(i.id) as { members: Set<string>; down: number };
      causes.members.add(device);
      causes.down++;
    }
    this.owner.set(device, i.id);
    // A gateway takes its cameras down at its own instant: one timeline entry for all of them.
    const last = i.timeline[i.timeline.length - 1];
    if (last.at === t && (last.kind === 'raised' || last.kind === 'grew')) last.devices?.push(device);
    else i.timeline.push({ at: t, kind: 'grew', devices: [device] });
    this.emit('grew', t, i);
  }

  private merge(old: Incident, into: Incident, t: number): void {
    old.status = 'resolved';
    old.resolvedAt = t;
    old.mergedInto = into.id;
    old.recoveringSince = undefined;
    old.timeline.push({ at: t, kind: 'merged', into: into.id });
    this.untrack(old);
    this.emit('merged', t, old);
  }

  private resolve(i: Incident, t: number): void {
    i.status = 'resolved';
    i.resolvedAt = t;
    i.recoveringSince = undefined;
    i.timeline.push({ at: t, kind: 'resolved' });
    this.untrack(i);
    const stillDown: string[] = [];
    for (const d of [...i.devices, ...i.effects]) {
      if (this.owner.get(d) === i.id) this.owner.delete(d);
      if (this.down.has(d)) stillDown.push(d);
    }
    this.emit('resolved', t, i);
    // Cameras still dark once their gateway has been back for the hold have a cause of their own now.
    for (const d of stillDown) {
      this.down.delete(d);
      this.onDown(d, t);
    }
  }

  /** An incident becomes active: its causes counted, a district one found by its district. */
  private track(i: Incident): void {
    this.active.set(i.id, i);
    this.causes.set(i.id, {
      members: new Set(i.devices),
      down: i.devices.reduce((n, d) => n + (this.down.has(d) ? 1 : 0), 0),
    });
    if (i.cause === 'district') {
      const ids = this.districtIncidents.get(i.subject) ?? new Set<string>();
      ids.add(i.id);
      this.districtIncidents.set(i.subject, ids);
    }
  }

  private untrack(i: Incident): void {
    this.active.delete(i.id);
    this.causes.delete(i.id);
    if (i.cause === 'district') this.districtIncidents.get(i.subject)?.delete(i.id);
  }

  private startRecovering(i: Incident, t: number): void {
    i.status = 'recovering';
    i.recoveringSince = t;
    this.recovering.push({ id: i.id, since: t });
    this.emit('recovering', t, i);
  }

  /** A cause device went down at t: the district window counts it. Returns its district. */
  private causeDown(device: string, t: number): string | null {
    this.causeDownAt.set(device, t);
    const district = this.topology.districtOf(device);
    if (district !== null) {
      const list = this.districtFailures.get(district) ?? [];
      list.push({ device, at: t });
      this.districtFailures.set(district, list);
    }
    return district;
  }

  /** Copied when taken, once per incident: a gateway's cameras joining one by one cost no copy each. */
  private emit(type: IncidentEventType, at: number, i: Incident): void {
    this.events.push({ type, at, incident: i });
  }
}
