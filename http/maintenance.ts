// Maintenance windows through the API (issue 14 item 2): operators plan, change, cancel or end early the work
// on devices, an asset or a district; everyone who reads may list them. Each write is audited.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CityEngine } from '../engine/city-engine.js';
import type { MaintenancePlan, PlanResult } from '../registry/maintenance-plan.js';
import {
  type MaintenanceWindow,
  WindowInput,
  WindowPatch,
  windowStatus,
} from '../registry/maintenance-windows.js';
import { needs } from './access.js';
import { recordChange } from './audit-hook.js';
import { codeOf, ErrorBody, sendError } from './errors.js';

const STATUSES = ['planned', 'active', 'past', 'cancelled'] as const;

const WindowOut = z.object({
  id: z.string(),
  status: z
    .enum(STATUSES)
    .describe('planned (start in the future), active (start ≤ now < end), past, cancelled'),
  start: z.string(),
  end: z.string(),
  reason: z.string(),
  by: z.string().describe('who planned it'),
  devices: z.array(z.string()),
  assets: z.array(z.string()),
  districts: z.array(z.string()),
  deviceCount: z.number().describe('devices the window covers in the registry now'),
  createdAt: z.string(),
  cancelledAt: z.string().optional(),
});
const Params = z.object({ id: z.string() });

export interface MaintenanceSource {
  plan: MaintenancePlan;
  engine: () => CityEngine;
  /** Wall clock (tests: a fixed one). */
  now?: () => number;
}

const iso = (t: number) => new Date(t).toISOString();

export const maintenancePlugin: FastifyPluginAsync<MaintenanceSource> = async (app, source) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { plan } = source;
  const now = source.now ?? Date.now;
  const shown = (w: MaintenanceWindow, t: number) => ({
    id: w.id,
    status: windowStatus(w, t),
    start: iso(w.start),
    end: iso(w.end),
    reason: w.reason,
    by: w.by,
    devices: w.devices,
    assets: w.assets,
    districts: w.districts,
    deviceCount: source.engine().maintenance.devicesOf(w).length,
    createdAt: iso(w.createdAt),
    ...(w.cancelledAt === undefined ? {} : { cancelledAt: iso(w.cancelledAt) }),
  });
  const refused = (reply: FastifyReply, r: Extract<PlanResult, { ok: false }>) =>
    sendError(reply, codeOf(r.status), r.message);

  api.get(
    '/api/maintenance',
    {
      ...needs('viewer'),
      schema: {
        tags: ['maintenance'],
        description:
          'maintenance windows by start; filter by status, or by a device, asset or district they cover',
        querystring: z.object({
          status: z.enum(STATUSES).optional(),
          device: z
            .string()
            .optional()
            .describe('windows covering this device (by id, asset, district or gateway)'),
          asset: z.string().optional().describe('windows naming this asset'),
          district: z.string().optional().describe('windows naming this district'),
        }),
        response: { 200: z.array(WindowOut) },
      },
    },
    async (req) => {
      const t = now();
      const { status, device, asset, district } = req.query;
      const engine = source.engine();
      const d = device === undefined ? undefined : engine.model.deviceIndex.get(device);
      return plan.windows
        .filter(
          (w) =>
            (status === undefined || windowStatus(w, t) === status) &&
            (asset === undefined || w.assets.includes(asset)) &&
            (district === undefined || w.districts.includes(district)) &&
            (device === undefined || (d !== undefined && engine.maintenance.devicesOf(w).includes(d))),
        )
        .map((w) => shown(w, t));
    },
  );

  api.post(
    '/api/maintenance',
    {
      ...needs('operator', 'maintenance.plan'),
      schema: {
        tags: ['maintenance'],
        description:
          'plan a window: {"start","end" (RFC 3339; in maintenance while start ≤ t < end),"reason","devices","assets","districts"}',
        body: WindowInput,
        response: { 201: WindowOut, 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const t = now();
      const r = plan.create(req.body, req.caller?.name ?? 'anonymous', t);
      if (!r.ok) return refused(reply, r);
      await plan.written();
      recordChange(req, { target: r.value.id, before: null, after: r.value });
      return reply.code(201).send(shown(r.value, t));
    },
  );

  api.patch(
    '/api/maintenance/:id',
    {
      ...needs('operator', 'maintenance.change'),
      schema: {
        tags: ['maintenance'],
        description:
          'change a planned or open window; an open one keeps its start, and `end` now ends it early',
        params: Params,
        body: WindowPatch,
        response: { 200: WindowOut, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const t = now();
      const before = plan.get(req.params.id);
      const r = plan.change(req.params.id, req.body, t);
      if (!r.ok) return refused(reply, r);
      await plan.written();
      recordChange(req, { target: r.value.id, before, after: r.value });
      return shown(r.value, t);
    },
  );

  api.delete(
    '/api/maintenance/:id',
    {
      ...needs('operator', 'maintenance.cancel'),
      schema: {
        tags: ['maintenance'],
        description: 'cancel a planned window (kept, as cancelled), or end an open one now',
        params: Params,
        response: { 200: WindowOut, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const t = now();
      const before = plan.get(req.params.id);
      const r = plan.cancel(req.params.id, t);
      if (!r.ok) return refused(reply, r);
      await plan.written();
      recordChange(req, { target: r.value.id, before, after: r.value });
      return shown(r.value, t);
    },
  );
};
