// The alert log for duty officers: every alert with raise, acknowledge and clear times, and acknowledging
// one by name (docs/contract.md §5: `GET /api/alerts`, `POST /api/alerts/{alertId}/ack` with `{"by": "<person>"}`).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Alert } from '../engine/alerts/alert-machine.js';
import { needs } from './access.js';
import { recordChange } from './audit-hook.js';
import { ErrorBody, sendError } from './errors.js';

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
/** A burn-rate alert's objective, the rule and its two windows' burn rates when raised. */
const BurnDetailOut = z.object({
  rule: z.enum(['page', 'ticket']),
  target: z.number(),
  window: z.string(),
  burnRate: z.number(),
  windows: z.record(z.string(), z.number().nullable()),
  budgetLeft: z.number().nullable(),
});
const AlertOut = z.object({
  alertId: z.string(),
  kind: z.enum(['threshold', 'burn-rate']),
  detail: BurnDetailOut.nullable(),
  indicator: z.string(),
  scope: z.string(),
  severity: z.string(),
  value: z.number(),
  below: z.number(),
  clearAt: z.number(),
  raisedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  clearedAt: z.string().nullable(),
});

/** What the routes need of the alerts: the one-process AlertService, or an API node's ClusterAlerts. */
export interface AlertDesk {
  list(limit?: number): Alert[];
  get(alertId: string): Alert | undefined;
  /** Undefined when the alert is no longer open. */
  acknowledge(alertId: string, by: string): Alert | undefined | Promise<Alert | undefined>;
}

const out = (a: Alert) => ({
  ...a,
  kind: a.kind ?? ('threshold' as const),
  detail: a.detail ?? null,
  raisedAt: iso(a.raisedAt)!,
  acknowledgedAt: iso(a.acknowledgedAt),
  acknowledgedBy: a.acknowledgedBy ?? null,
  clearedAt: iso(a.clearedAt),
});

export const alertsPlugin: FastifyPluginAsync<{
  alerts: AlertDesk;
}> = async (app, { alerts }) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/alerts',
    {
      ...needs('viewer'),
      schema: {
        tags: ['alerts'],
        querystring: z.object({ open: z.enum(['true', 'false']).optional() }),
        response: { 200: z.array(AlertOut) },
      },
    },
    async (req) =>
      alerts
        .list()
        .filter((a) => req.query.open !== 'true' || a.clearedAt === undefined)
        .map(out),
  );
  api.post(
    '/api/alerts/:alertId/ack',
    {
      ...needs('operator', 'alert.ack'),
      schema: {
        tags: ['alerts'],
        params: z.object({ alertId: z.string() }),
        response: { 200: AlertOut, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const known = alerts.get(req.params.alertId);
      if (!known) return sendError(reply, 'not-found', `no alert '${req.params.alertId}'`);
      if (known.clearedAt !== undefined)
        return sendError(
          reply,
          'conflict',
          `alert '${known.alertId}' was cleared at ${iso(known.clearedAt)}`,
        );
      if (known.acknowledgedAt !== undefined) {
        return sendError(
          reply,
          'conflict',
          `alert '${known.alertId}' was acknowledged by ${known.acknowledgedBy} at ${iso(known.acknowledgedAt)}`,
        );
      }
      const acked = await alerts.acknowledge(known.alertId, req.caller!.name);
      if (acked) recordChange(req, { target: known.alertId, before: out(known), after: out(acked) });
      return acked ? out(acked) : sendError(reply, 'conflict', `alert '${known.alertId}' is no longer open`);
    },
  );
};
