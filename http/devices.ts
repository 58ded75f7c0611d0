// Registry for field engineers: devices CRUD, secrets issued and rotated (shown once), bulk upload.
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Device } from '../registry/inventory.js';
import { DEVICE_KINDS } from '../registry/inventory.js';
import { INVENTORY_FILES } from '../registry/load-inventory.js';
import type { Registry } from '../registry/registry-service.js';
import { requireAdmin } from './auth.js';
import { sendError } from './errors.js';

const DeviceBody = z.object({
  id: z.string(),
  kind: z.enum(DEVICE_KINDS),
  district: z.string().optional(),
  assetId: z.string().optional(),
  gatewayId: z.string().optional(),
  hd: z.boolean().optional(),
  expectedIntervalS: z.number().positive().optional(),
  lat: z.number().optional(),
  lon: z.number().optional(),
});
const DeviceOut = DeviceBody.extend({
  hd: z.boolean(),
  expectedIntervalS: z.number(),
  attributes: z.record(z.string(), z.string()).optional(),
});
const ErrorBody = z.object({ error: z.string(), message: z.string() });
const IdParams = z.object({ id: z.string() });
const Errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const Secret = z.object({ id: z.string(), secret: z.string() });

const INVENTORY_FILE_NAMES: ReadonlySet<string> = new Set(INVENTORY_FILES);
const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export const devicesPlugin: FastifyPluginAsync<{ registry: Registry }> = async (app, { registry }) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const admin = requireAdmin(registry.credentials);
  const refused = (status: number, reasons: string[]) => ({
    error: status === 404 ? 'not-found' : status === 409 ? 'conflict' : 'bad-request',
    message: reasons.join('; '),
  });

  api.get(
    '/api/devices',
    { schema: { tags: ['registry'], response: { 200: z.array(DeviceOut) } } },
    async () => [...registry.inventory.devices.values()],
  );

  // For maps: every device with coordinates, as compact rows, thinned evenly to at most `max` so a city of
  // a million devices still draws (the devices that are down come separately, from /api/devices/down).
  api.get(
    '/api/devices/positions',
    {
      schema: {
        tags: ['registry'],
        querystring: z.object({ max: z.coerce.number().int().min(1).max(1_000_000).default(5000) }),
        response: {
          200: z.object({
            total: z.number().describe('registered devices'),
            placed: z.number().describe('devices with coordinates'),
            sampled: z.boolean().describe('true when fewer than `placed` rows are returned'),
            devices: z.array(z.tuple([z.string(), z.number(), z.number()])).describe('[id, lat, lon]'),
          }),
        },
      },
    },
    async (req) => {
      const placed: [string, number, number][] = [];
      for (const d of registry.inventory.devices.values())
        if (d.lat !== undefined && d.lon !== undefined) placed.push([d.id, d.lat, d.lon]);
      const step = Math.max(1, placed.length / req.query.max);
      const devices =
        step === 1 ? placed : Array.from({ length: req.query.max }, (_, i) => placed[Math.floor(i * step)]);
      return {
        total: registry.inventory.devices.size,
        placed: placed.length,
        sampled: devices.length < placed.length,
        devices,
      };
    },
  );

  api.get(
    '/api/devices/:id',
    { schema: { tags: ['registry'], params: IdParams, response: { 200: DeviceOut, ...Errors } } },
    async (req, reply) => {
      const d = registry.inventory.devices.get(req.params.id);
      return d ?? sendError(reply, 404, 'not-found', `no device '${req.params.id}'`);
    },
  );

  api.post(
    '/api/devices',
    {
      preHandler: admin,
      schema: { tags: ['registry'], body: DeviceBody, response: { 201: Secret, ...Errors } },
    },
    async (req, reply) => {
      const r = registry.create(req.body);
      if (!r.ok) return reply.code(r.status).send(refused(r.status, r.reasons));
      return reply.code(201).send({ id: r.value.device.id, secret: r.value.secret });
    },
  );

  api.patch(
    '/api/devices/:id',
    {
      preHandler: admin,
      schema: {
        tags: ['registry'],
        params: IdParams,
        body: DeviceBody.partial(),
        response: { 200: DeviceOut, ...Errors },
      },
    },
    async (req, reply) => {
      const r = registry.update(req.params.id, req.body);
      return r.ok ? (r.value as Device) : reply.code(r.status).send(refused(r.status, r.reasons));
    },
  );

  api.delete(
    '/api/devices/:id',
    {
      preHandler: admin,
      schema: { tags: ['registry'], params: IdParams, response: { 204: z.null(), ...Errors } },
    },
    async (req, reply) => {
      const r = registry.remove(req.params.id);
      return r.ok ? reply.code(204).send(null) : reply.code(r.status).send(refused(r.status, r.reasons));
    },
  );

  api.post(
    '/api/devices/:id/secret',
    {
      preHandler: admin,
      schema: { tags: ['registry'], params: IdParams, response: { 200: Secret, ...Errors } },
    },
    async (req, reply) => {
      const r = registry.rotateSecret(req.params.id);
      return r.ok
        ? { id: req.params.id, secret: r.value }
        : reply.code(r.status).send(refused(r.status, r.reasons));
    },
  );

  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 6 } });
  api.post(
    '/api/inventory',
    {
      preHandler: admin,
      schema: {
        tags: ['registry'],
        description:
          'multipart upload of inventory files (areas.csv, pipe_segments.csv, routes.txt, sites.csv, devices.csv, city.json); ?strict=true for all-or-nothing',
        querystring: z.object({ strict: z.enum(['true', 'false']).optional() }),
      },
    },
    async (req, reply) => {
      const files: Record<string, string> = {};
      try {
        for await (const part of req.parts()) {
          if (part.type !== 'file') continue;
          const name = part.filename || part.fieldname;
          if (!INVENTORY_FILE_NAMES.has(name)) {
            return sendError(
              reply,
              400,
              'bad-request',
              `'${name}' is not an inventory file: send ${[...INVENTORY_FILE_NAMES].join(', ')}`,
            );
          }
          files[name] = (await part.toBuffer()).toString('utf8');
        }
      } catch (err) {
        // A broken multipart body (cut short, no boundary) is the client's: say so, as the one error shape.
        const status = (err as { statusCode?: number }).statusCode ?? 400;
        if (status >= 500) throw err;
        return sendError(
          reply,
          status,
          status === 413 ? 'too-large' : 'bad-request',
          `the upload is not valid multipart/form-data: ${(err as Error).message}`,
        );
      }
      if (Object.keys(files).length === 0)
        return sendError(reply, 400, 'bad-request', 'no inventory file in the upload');
      const strict = req.query.strict === 'true';
      const result = await registry.importFiles(files, strict);
      const applied = !(strict && result.errors.length > 0);
      return {
        applied,
        counts: result.counts,
        errors: result.errors.map((e) => ({ ...e, text: `${e.file}:${e.line}: ${e.reason}` })),
      };
    },
  );
};
