// Registry for field engineers: devices CRUD, secrets issued and rotated (shown once), bulk upload.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CityEngine } from '../engine/city-engine.js';
import type { Device } from '../registry/inventory.js';
import { DEVICE_KINDS } from '../registry/inventory.js';
import { INVENTORY_FILES } from '../registry/load-inventory.js';
import type { Registry } from '../registry/registry-service.js';
import { blankOr, districtText, idText, referenceText } from '../registry/text-limits.js';
import { needs } from './access.js';
import { recordChange } from './audit-hook.js';
import { type DeviceBroker, deviceConnection } from './device-connection.js';
import { decodeCursor, devicePage, knownDistricts, PAGE_DEFAULT, PAGE_MAX } from './device-page.js';
import { codeOf, ErrorBody, errorWith, sendError } from './errors.js';
import { receiveInventoryFiles, uploadLimits } from './inventory-upload.js';

// The limits of devices.csv (registry/text-limits.ts), checked before anything else sees the body.
const DeviceBody = z.object({
  id: idText(z.string()),
  kind: z.enum(DEVICE_KINDS),
  // "" clears the field, as an empty cell does.
  district: blankOr(districtText(z.string())).optional(),
  assetId: blankOr(referenceText(z.string())).optional(),
  gatewayId: blankOr(idText(z.string())).optional(),
  hd: z.boolean().optional(),
  expectedIntervalS: z.number().positive().optional(),
  lat: z.number().optional(),
  lon: z.number().optional(),
});
const DeviceOut = DeviceBody.extend({
  id: z.string(),
  district: z.string().optional(),
  assetId: z.string().optional(),
  gatewayId: z.string().optional(),
  hd: z.boolean(),
  expectedIntervalS: z.number(),
  attributes: z.record(z.string(), z.string()).optional(),
});
const IdParams = z.object({ id: z.string() });
const LIMIT_RULE = `limit is a whole number from 1 to ${PAGE_MAX}`;
const ListQuery = z.object({
  limit: z.coerce
    .number({ error: LIMIT_RULE })
    .int({ error: LIMIT_RULE })
    .min(1, { error: LIMIT_RULE })
    .max(PAGE_MAX, { error: LIMIT_RULE })
    .default(PAGE_DEFAULT)
    .describe(`devices per page, 1 to ${PAGE_MAX} (default ${PAGE_DEFAULT})`),
  cursor: z.string().optional().describe('`next` of the page before; absent for the first page'),
  kind: z.enum(DEVICE_KINDS, { error: `kind is one of ${DEVICE_KINDS.join(', ')}` }).optional(),
  district: z
    .string()
    .optional()
    .describe("only devices in this district (a device's asset's district first)"),
  down: z
    .enum(['true', 'false'], { error: 'down is true or false' })
    .optional()
    .describe('true: only devices not online now (as GET /api/devices/down); false: only those online'),
});
const DevicePageOut = z.object({
  devices: z.array(DeviceOut).describe('ordered by id'),
  next: z.string().nullable().describe('cursor of the next page; null on the last'),
  total: z.number().describe('devices matching the filters, over all pages'),
});
const Errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const Connection = z
  .object({
    url: z.string().describe('the broker: mqtts:// when it serves TLS, else mqtt:// (else ws://)'),
    username: z.string().describe('MQTT user name: the device id'),
    clientId: z.string().describe('MQTT client id: the device id (or `<id>:<anything>`)'),
    topicPrefix: z.string().describe('the device publishes under `<topicPrefix><channel>` (docs/devices.md)'),
  })
  .describe('where and as whom the device connects (docs/devices.md, /asyncapi.json)');
const Secret = z.object({
  id: z.string(),
  secret: z.string().describe('the MQTT password: shown this once, stored only as a digest'),
  connection: Connection.optional().describe('absent when this server does not know the broker'),
});
const Tally = z.object({ accepted: z.number(), rejected: z.number() });
const Upload = z.object({
  applied: z.boolean(),
  counts: z.object({ areas: Tally, pipeSegments: Tally, routes: Tally, sites: Tally, devices: Tally }),
  errors: z.array(
    z.object({
      file: z.string(),
      line: z.number(),
      reason: z.string(),
      text: z.string().describe('file:line: reason'),
    }),
  ),
});
/** Nothing applied: the one error shape, with the same tallies and per-row errors. */
const NothingApplied = errorWith(Upload.shape);

const INVENTORY_FILE_NAMES: ReadonlySet<string> = new Set(INVENTORY_FILES);

export interface DevicesPluginOptions {
  registry: Registry;
  /** Where a device stands and whether it is online, for the `district` and `down` filters. */
  engine?: () => CityEngine;
  /** The broker whose URL answers beside a new secret. */
  broker?: DeviceBroker;
}

export const devicesPlugin: FastifyPluginAsync<DevicesPluginOptions> = async (
  app,
  { registry, engine, broker },
) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const refused = (reply: FastifyReply, r: { status: number; reasons: string[] }) =>
    sendError(reply, codeOf(r.status), r.reasons.join('; '));
  /** The one-time answer: the secret and where to use it. */
  const credentials = (device: Device, secret: string, hostname: string) => {
    const connection = broker && deviceConnection(device, broker, hostname);
    return { id: device.id, secret, ...(connection ? { connection } : {}) };
  };

  api.get(
    '/api/devices',
    {
      ...needs('viewer'),
      schema: {
        tags: ['registry'],
        summary: 'The registered devices, a page at a time (keyset by id), filtered by kind, district, down',
        querystring: ListQuery,
        response: { 200: DevicePageOut, 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const inv = registry.inventory;
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && after === undefined)
        return sendError(
          reply,
          'bad-request',
          `cursor '${q.cursor}' is not one this API gave: use a page's next, or none to start`,
        );
      if (q.district !== undefined && !knownDistricts(inv).has(q.district)) {
        const known = [...knownDistricts(inv)].join(', ') || 'none';
        return sendError(reply, 'bad-request', `unknown district '${q.district}' (known: ${known})`);
      }
      const down = q.down === undefined ? undefined : q.down === 'true';
      return devicePage(inv, engine?.(), { kind: q.kind, district: q.district, down }, q.limit, after);
    },
  );

  // For maps: every device with coordinates, as compact rows, thinned evenly to at most `max` so a city of
  // a million devices still draws (the devices that are down come separately, from /api/devices/down).
  api.get(
    '/api/devices/positions',
    {
      ...needs('viewer'),
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
    {
      ...needs('viewer'),
      schema: { tags: ['registry'], params: IdParams, response: { 200: DeviceOut, ...Errors } },
    },
    async (req, reply) => {
      const d = registry.inventory.devices.get(req.params.id);
      return d ?? sendError(reply, 'not-found', `no device '${req.params.id}'`);
    },
  );

  api.post(
    '/api/devices',
    {
      ...needs('engineer', 'device.create'),
      schema: { tags: ['registry'], body: DeviceBody, response: { 201: Secret, ...Errors } },
    },
    async (req, reply) => {
      const r = registry.create(req.body);
      if (!r.ok) return refused(reply, r);
      // Stored before the secret is shown: it is shown once.
      await registry.written();
      recordChange(req, { target: r.value.device.id, after: r.value.device });
      return reply.code(201).send(credentials(r.value.device, r.value.secret, req.hostname));
    },
  );

  api.patch(
    '/api/devices/:id',
    {
      ...needs('engineer', 'device.change'),
      schema: {
        tags: ['registry'],
        params: IdParams,
        body: DeviceBody.partial(),
        response: { 200: DeviceOut, ...Errors },
      },
    },
    async (req, reply) => {
      const before = registry.inventory.devices.get(req.params.id);
      const r = registry.update(req.params.id, req.body);
      await registry.written();
      if (r.ok) recordChange(req, { before, after: r.value });
      return r.ok ? (r.value as Device) : refused(reply, r);
    },
  );

  api.delete(
    '/api/devices/:id',
    {
      ...needs('engineer', 'device.delete'),
      schema: { tags: ['registry'], params: IdParams, response: { 204: z.null(), ...Errors } },
    },
    async (req, reply) => {
      const before = registry.inventory.devices.get(req.params.id);
      const r = registry.remove(req.params.id);
      await registry.written();
      if (r.ok) recordChange(req, { before, after: null });
      return r.ok ? reply.code(204).send(null) : refused(reply, r);
    },
  );

  api.post(
    '/api/devices/:id/secret',
    {
      ...needs('engineer', 'device.rotate'),
      schema: { tags: ['registry'], params: IdParams, response: { 200: Secret, ...Errors } },
    },
    async (req, reply) => {
      const r = registry.rotateSecret(req.params.id);
      await registry.written();
      // The new secret is shown once and never recorded: the trail says only that it changed.
      recordChange(req, { after: { credential: 'rotated' } });
      if (!r.ok) return refused(reply, r);
      const device = registry.inventory.devices.get(req.params.id);
      return device ? credentials(device, r.value, req.hostname) : { id: req.params.id, secret: r.value };
    },
  );

  const limits = uploadLimits();
  await app.register(multipart, { limits: { fileSize: limits.fileBytes, files: INVENTORY_FILES.length } });
  api.post(
    '/api/inventory',
    {
      ...needs('engineer', 'inventory.upload'),
      schema: {
        tags: ['registry'],
        description:
          'multipart upload of inventory files (areas.csv, pipe_segments.csv, routes.txt, sites.csv, devices.csv, city.json); ?strict=true for all-or-nothing',
        querystring: z.object({ strict: z.enum(['true', 'false']).optional() }),
        response: { 200: Upload, 400: ErrorBody, 422: NothingApplied },
      },
    },
    async (req, reply) => {
      // Streamed to a temporary folder and read from there as `citygauge import` reads one.
      const dir = mkdtempSync(join(tmpdir(), 'citygauge-upload-'));
      try {
        const received = await receiveInventoryFiles(req, dir, INVENTORY_FILE_NAMES, limits);
        if (!received.ok) return sendError(reply, received.error, received.message);
        if (received.files.length === 0)
          return sendError(reply, 'bad-request', 'no inventory file in the upload');
        const strict = req.query.strict === 'true';
        const result = await registry.importDir(dir, strict);
        await registry.written();
        recordChange(req, {
          target: received.files.join(', '),
          after: { files: received.files, strict, counts: result.counts, errors: result.errors.length },
        });
        // Nothing applied (strict with an error, or not one row nor city.json taken) is a 422, not a 200.
        const cityTaken =
          received.files.includes('city.json') && !result.errors.some((e) => e.file === 'city.json');
        const rowsTaken = Object.values(result.counts).some((c) => c.accepted > 0);
        const applied = !(strict && result.errors.length > 0) && (cityTaken || rowsTaken);
        const answer = {
          applied,
          counts: result.counts,
          errors: result.errors.map((e) => ({ ...e, text: `${e.file}:${e.line}: ${e.reason}` })),
        };
        if (applied) return answer;
        const errorCount = result.errors.length;
        return sendError(
          reply,
          'nothing-applied',
          errorCount === 0
            ? 'the upload held no rows: nothing was applied'
            : `nothing was applied: ${errorCount} error${errorCount === 1 ? '' : 's'} (see errors); fix ${strict ? 'them' : 'the rows'} and upload again`,
          answer,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
};
