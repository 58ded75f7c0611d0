// An incident as people and other programs read it (GET /api/incidents, `city/incidents/<id>`): times as
// RFC 3339, "none" as null.
import type { Incident, IncidentCause, IncidentStatus, TimelineKind } from './incident.js';

export const INCIDENTS_TOPIC = 'city/incidents';

export interface TimelineEntryDocument {
  at: string;
  kind: TimelineKind;
  devices: string[] | null;
  by: string | null;
  into: string | null;
}

export interface IncidentDocument {
  id: string;
  cause: IncidentCause;
  subject: string;
  district: string | null;
  status: IncidentStatus;
  raisedAt: string;
  /** Cause devices, then the cameras dark behind its gateways. */
  devices: string[];
  effects: string[];
  downNow: number;
  recoveringSince: string | null;
  refailures: number;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  mergedInto: string | null;
  timeline: TimelineEntryDocument[];
  /** The indicator alerts it explains (absent where the caller did not ask). */
  alerts?: string[];
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

export function incidentDocument(i: Incident, alerts?: string[]): IncidentDocument {
  return {
    id: i.id,
    cause: i.cause,
    subject: i.subject,
    district: i.district,
    status: i.status,
    raisedAt: new Date(i.raisedAt).toISOString(),
    devices: i.devices,
    effects: i.effects,
    downNow: i.downNow,
    recoveringSince: iso(i.recoveringSince),
    refailures: i.refailures,
    acknowledgedAt: iso(i.acknowledgedAt),
    acknowledgedBy: i.acknowledgedBy ?? null,
    resolvedAt: iso(i.resolvedAt),
    mergedInto: i.mergedInto ?? null,
    timeline: i.timeline.map((e) => ({
      at: new Date(e.at).toISOString(),
      kind: e.kind,
      devices: e.devices ?? null,
      by: e.by ?? null,
      into: e.into ?? null,
    })),
    ...(alerts ? { alerts } : {}),
  };
}
