// Root-cause incidents for duty officers (issue 14 item 1): every incident, one with its timeline and the
// alerts it explains, and acknowledging one by name (audited), as alerts are acknowledged (http/alerts.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Incident } from '../engine/incidents/incident.js';
import { incidentDocument } from '../engine/incidents/incident-document.js';
import { needs } from './access.js';
import { recordChange } from './audit-hook.js';
import { ErrorBody, sendError } from './errors.js';

const TimelineEntryOut = z.object({
  at: z.string(),
  kind: z.enum(['raised', 'grew', 'acknowledged', 'resolved', 'merged']),
  devices: z.array(z.string()).nullable(),
  by: z.string().nullable(),
  into: z.string().nullable(),
});
const IncidentSummaryOut = z.object({
  id: z.string(),
  cause: z.enum(['gateway', 'district', 'device']),
  subject: z.string(),
  district: z.string().nullable(),
  status: z.enum(['open', 'recovering', 'resolved']),
  raisedAt: z.string(),
  devices: z.array(z.string()),
  effects: z.array(z.string()),
  downNow: z.number(),
  recoveringSince: z.string().nullable(),
  refailures: z.number(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  mergedInto: z.string().nullable(),
  indicators: z
    .array(z.string())
    .describe('the indicators its devices feed (live memberships and the weighted indicators made of them)'),
});
const IncidentOut = IncidentSummaryOut.extend({
  timeline: z.array(TimelineEntryOut),
  alerts: z.array(z.string()),
});

/** What the routes need of the incidents: the engine's IncidentService. */
export interface IncidentDesk {
  /** The newest first. */
  list(limit?: number): Incident[];
  /** Not resolved, in any order. */
  openIncidents(): Incident[];
  get(id: string): Incident | undefined;
  alertsOf(id: string): string[];
  /** The indicators its devices feed, where its effect shows. */
  indicatorsOf(i: Incident): string[];
  /** Undefined when the incident is no longer open. */
  acknowledge(id: string, by: string): Incident | undefined;
}

export const incidentsPlugin: FastifyPluginAsync<{ incidents: IncidentDesk }> = async (
  app,
  { incidents },
) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const summary = (i: Incident) => {
    const { timeline: _, ...rest } = incidentDocument(i);
    return { ...rest, indicators: incidents.indicatorsOf(i) };
  };
  const full = (i: Incident): z.infer<typeof IncidentOut> => {
    const alerts = incidents.alertsOf(i.id);
    return { ...incidentDocument(i, alerts), alerts, indicators: incidents.indicatorsOf(i) };
  };
  api.get(
    '/api/incidents',
    {
      ...needs('viewer'),
      schema: {
        tags: ['incidents'],
        description: 'Incidents, newest first, without their timelines (GET /api/incidents/{id} has it).',
        querystring: z.object({
          open: z.enum(['true', 'false']).optional().describe('only those not resolved'),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
          withOpen: z
            .enum(['true', 'false'])
            .optional()
            .describe('the newest `limit`, and besides them every one not resolved, however old'),
        }),
        response: { 200: z.array(IncidentSummaryOut) },
      },
    },
    // The open ones from the open list, so an old incident still open is never pushed out by newer resolved ones.
    async (req) => {
      const { open, limit, withOpen } = req.query;
      const newestFirst = (list: Incident[]) => list.sort((a, b) => b.raisedAt - a.raisedAt);
      if (open === 'true') return newestFirst(incidents.openIncidents()).slice(0, limit).map(summary);
      const newest = incidents.list(limit);
      if (withOpen !== 'true') return newest.map(summary);
      const listed = new Set(newest.map((i) => i.id));
      const older = incidents.openIncidents().filter((i) => !listed.has(i.id));
      return newestFirst([...newest, ...older]).map(summary);
    },
  );
  api.get(
    '/api/incidents/:id',
    {
      ...needs('viewer'),
      schema: {
        tags: ['incidents'],
        params: z.object({ id: z.string() }),
        response: { 200: IncidentOut, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const i = incidents.get(req.params.id);
      return i ? full(i) : sendError(reply, 'not-found', `no incident '${req.params.id}'`);
    },
  );
  api.post(
    '/api/incidents/:id/ack',
    {
      ...needs('operator', 'incident.ack'),
      schema: {
        tags: ['incidents'],
        params: z.object({ id: z.string() }),
        response: { 200: IncidentOut, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const known = incidents.get(req.params.id);
      if (!known) return sendError(reply, 'not-found', `no incident '${req.params.id}'`);
      if (known.status === 'resolved')
        return sendError(
          reply,
          'conflict',
          `incident '${known.id}' was resolved at ${new Date(known.resolvedAt ?? 0).toISOString()}`,
        );
      if (known.acknowledgedAt !== undefined)
        return sendError(
          reply,
          'conflict',
          `incident '${known.id}' was acknowledged by ${known.acknowledgedBy} at ${new Date(known.acknowledgedAt).toISOString()}`,
        );
      const acked = incidents.acknowledge(known.id, req.caller!.name);
      if (!acked) return sendError(reply, 'conflict', `incident '${known.id}' is no longer open`);
      recordChange(req, { target: known.id, before: summary(known), after: summary(acked) });
      return full(acked);
    },
  );
};
