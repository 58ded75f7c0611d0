// What an incident is (docs/incidents.md): its cause, members, status and timeline, the events the grouper
// emits, and the rule and topology it groups by. Data only; engine/incidents/grouper.ts is the state machine.

export type IncidentCause = 'gateway' | 'district' | 'device';
export type IncidentStatus = 'open' | 'recovering' | 'resolved';
export type TimelineKind = 'raised' | 'grew' | 'acknowledged' | 'resolved' | 'merged';

export interface TimelineEntry {
  at: number;
  kind: TimelineKind;
  /** The devices that went down (raised, grew: cause devices and dark cameras alike). */
  devices?: string[];
  /** Who acknowledged. */
  by?: string;
  /** merged: the district incident that took this one over. */
  into?: string;
}

export interface Incident {
  /** `<subject>-<raisedAt as yyyymmddThhmmssSSSZ>`: stable, safe in a URL path and an MQTT topic level. */
  id: string;
  cause: IncidentCause;
  /** The gateway's id, the district, or the device's id. */
  subject: string;
  district: string | null;
  status: IncidentStatus;
  raisedAt: number;
  /** The devices whose own failure the incident stands for (a district incident's gateways among them). */
  devices: string[];
  /** Cameras dark behind a down gateway of the incident: effects, never causes. */
  effects: string[];
  /** Of devices and effects, how many are down now. */
  downNow: number;
  /** Since when every cause has been up again (status recovering). */
  recoveringSince?: number;
  /** How many times a cause failed again while recovering (a flapping link). */
  refailures: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  resolvedAt?: number;
  /** Set when a district incident took this one over (status resolved at that instant). */
  mergedInto?: string;
  timeline: TimelineEntry[];
}

export type IncidentEventType =
  | 'raised'
  | 'grew'
  | 'acknowledged'
  | 'recovering'
  | 'refailed'
  | 'resolved'
  | 'merged';

export interface IncidentEvent {
  type: IncidentEventType;
  at: number;
  incident: Incident;
}

/** What the grouper needs to know of the inventory. */
export interface IncidentTopology {
  /** The gateway a camera sits behind, if any. */
  gatewayOf(device: string): string | undefined;
  isGateway(device: string): boolean;
  /** docs/contract.md §3: its asset's district, else its own; null when it has neither. */
  districtOf(device: string): string | null;
  /** Devices registered in the district. */
  districtSize(district: string): number;
}

export interface IncidentRule {
  /** Cause devices of one district down within this window (event time) count together. */
  districtWindowMs: number;
  /** A district incident needs at least min(this, ⌈share × district size⌉) of them, and never fewer than 2. */
  districtMinDevices: number;
  districtMinShare: number;
  /** An incident resolves once every cause has been up this long; a failure before then reopens it. */
  holdMs: number;
}

export const DEFAULT_INCIDENT_RULE: IncidentRule = {
  districtWindowMs: 60_000,
  districtMinDevices: 5,
  districtMinShare: 0.5,
  holdMs: 300_000,
};

/** How many cause devices down within the window make a district incident in a district of `size`. */
export function districtThreshold(rule: IncidentRule, size: number): number {
  return Math.max(2, Math.min(rule.districtMinDevices, Math.ceil(rule.districtMinShare * size)));
}
