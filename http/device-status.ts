// Device liveness for field engineers and the dashboard map: is a device online, why not, since when,
// what it sent last and what the engine made of it; and every device down. Read-only, like the other GETs.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CityEngine } from '../engine/city-engine.js';
import { ONLINE } from '../engine/city-model.js';
import { deviceStatus } from '../engine/device-status.js';
import { DOWN_CAUSES, downCause } from '../engine/down-cause.js';
import { devicesDown } from '../engine/down-publisher.js';
import { mapCells, type Positions } from '../engine/map-cells.js';
import type { RecentMessages } from '../engine/recent-messages.js';
import { REJECTION_REASONS } from '../engine/rejections.js';
import { DEVICE_KINDS } from '../registry/inventory.js';
import { needs } from './access.js';
import { ErrorBody, sendError } from './errors.js';

export interface DeviceStatusSource {
  engine: () => CityEngine;
  recent: RecentMessages;
}

const Reason = z.enum([
  'maintenance',
  'offline',
  'behind-offline-gateway',
  'video-lost',
  'not-shared',
  'not-hd',
]);
const Status = z.object({
  id: z.string(),
  kind: z.enum(DEVICE_KINDS),
  district: z.string().nullable(),
  online: z.boolean(),
  available: z.boolean(),
  reason: Reason.nullable().describe('why it is not online and available; null when it is both'),
  since: z.string().nullable().describe('when its condition last changed'),
  lastSeen: z.string().nullable(),
  staleAt: z.string().nullable().describe('silent past this instant it counts as offline'),
  expectedIntervalS: z.number(),
});
const Message = z.object({
  receivedAt: z.string(),
  topic: z.string(),
  payload: z.string().describe('as received, cut to 2 KiB with a marker'),
  outcome: z.enum(['accepted', ...REJECTION_REASONS]),
  detail: z
    .string()
    .optional()
    .describe('for bad-payload, the failing fields and rules: "pressureKPa: expected a number"'),
});
const DeviceReport = z.object({
  status: Status.nullable().describe('null when the id is not registered'),
  messages: z.array(Message).describe('the last messages under this id, newest first'),
});
const Down = z.object({
  ts: z.string(),
  count: z.number(),
  total: z.number(),
  maintenance: z.number().describe('of count, the devices down for planned work (reason maintenance)'),
  neverHeard: z.number().describe('of count, the devices never heard since the engine started'),
  devices: z
    .array(
      z.object({
        id: z.string(),
        kind: z.string(),
        district: z.string().nullable(),
        lat: z.number().nullable(),
        lon: z.number().nullable(),
        reason: Reason,
        cause: z
          .enum(DOWN_CAUSES)
          .describe(
            'why, in words: never-heard (no message since the engine started), silent (nothing within 3 × its expected interval), offline (said so, or its Last Will), behind-gateway (its gateway is down), maintenance',
          ),
        gateway: z.string().nullable().describe('for behind-gateway: the gateway that is down'),
        since: z.string().nullable().describe('when it went down; null when never heard'),
        lastSeen: z.string().nullable().describe('its last accepted message; null when never heard'),
        expectedIntervalS: z.number(),
      }),
    )
    .describe('devices once heard first, then those never heard; at most 2,000'),
  truncated: z.literal(true).optional(),
});

const MapQuery = z.object({
  cells: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(40)
    .describe('cells along the longer side of the devices’ bounding box'),
  downCap: z.coerce
    .number()
    .int()
    .min(0)
    .max(5000)
    .default(500)
    .describe('down devices listed one by one, at most'),
});
const DeviceMap = z.object({
  ts: z.string(),
  total: z.number().describe('registered devices'),
  placed: z.number().describe('devices with coordinates'),
  downPlaced: z.number().describe('of placed, the devices down'),
  bounds: z
    .object({ south: z.number(), west: z.number(), north: z.number(), east: z.number() })
    .nullable()
    .describe('of the placed devices; null when none has coordinates'),
  cells: z
    .array(z.object({ lat: z.number(), lon: z.number(), count: z.number(), down: z.number() }))
    .describe('non-empty square cells: the mean position of their devices, how many, how many down'),
  down: z
    .array(
      z.object({
        id: z.string(),
        kind: z.string(),
        lat: z.number(),
        lon: z.number(),
        cause: z.enum(DOWN_CAUSES),
      }),
    )
    .describe('placed devices that are down, one by one, in registry order, at most downCap'),
  truncated: z.literal(true).optional().describe('present when down stops short of downPlaced'),
  districts: z
    .array(z.object({ id: z.string(), count: z.number(), down: z.number() }))
    .describe('each district’s devices and how many are down, placed or not'),
});

/** Positions in the engine's device order, built once per engine (a registry change rebuilds the engine). */
const positionsOf = new WeakMap<CityEngine, Positions>();
function positions(engine: CityEngine): Positions {
  let pos = positionsOf.get(engine);
  if (!pos) {
    const ids = engine.model.deviceIds;
    pos = {
      lat: new Float64Array(ids.length).fill(Number.NaN),
      lon: new Float64Array(ids.length).fill(Number.NaN),
    };
    for (let d = 0; d < ids.length; d++) {
      const r = engine.inventory.devices.get(ids[d]);
      if (r?.lat !== undefined && r.lon !== undefined) {
        pos.lat[d] = r.lat;
        pos.lon[d] = r.lon;
      }
    }
    positionsOf.set(engine, pos);
  }
  return pos;
}

export const deviceStatusPlugin: FastifyPluginAsync<DeviceStatusSource> = async (app, { engine, recent }) => {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/devices/down',
    {
      ...needs('viewer'),
      schema: {
        tags: ['devices'],
        description: `the devices not online, as published retained on city/devices/down`,
        response: { 200: Down },
      },
    },
    async () => {
      const e = engine();
      // Before the engine's first input its clock is at -Infinity: stamp with the time of the answer.
      return devicesDown(e, Number.isFinite(e.now) ? e.now : Date.now());
    },
  );

  // For maps of any size: counts per cell instead of a million points (issue 15 item 1).
  api.get(
    '/api/devices/map',
    {
      ...needs('viewer'),
      schema: {
        tags: ['devices'],
        description:
          'every device with coordinates gathered into square cells, and the devices down one by one',
        querystring: MapQuery,
        response: { 200: DeviceMap },
      },
    },
    async (req) => {
      const e = engine();
      const m = e.model;
      const mask = e.devices.mask;
      const isDown = (d: number) => (mask[d] & ONLINE) === 0;
      const grid = mapCells(positions(e), isDown, req.query);
      const pos = positions(e);
      const perScope = m.scopes.map(() => ({ count: 0, down: 0 }));
      for (let d = 0; d < mask.length; d++) {
        const s = perScope[m.scope[d]];
        s.count++;
        if (isDown(d)) s.down++;
      }
      return {
        ts: new Date(Number.isFinite(e.now) ? e.now : Date.now()).toISOString(),
        total: m.deviceIds.length,
        placed: grid.placed,
        downPlaced: grid.downPlaced,
        bounds: grid.bounds,
        cells: grid.cells,
        down: grid.down.map((d) => ({
          id: m.deviceIds[d],
          kind: DEVICE_KINDS[m.kind[d]],
          lat: pos.lat[d],
          lon: pos.lon[d],
          cause: downCause(e, d).cause,
        })),
        ...(grid.down.length < grid.downPlaced ? { truncated: true as const } : {}),
        // Scope 0 is the city itself.
        districts: m.scopes.flatMap((id, s) => (s === 0 ? [] : [{ id, ...perScope[s] }])),
      };
    },
  );

  api.get(
    '/api/devices/:id/status',
    {
      ...needs('viewer'),
      schema: {
        tags: ['devices'],
        params: z.object({ id: z.string() }),
        response: { 200: DeviceReport, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const status = deviceStatus(engine(), id) ?? null;
      const messages = recent.of(id);
      // An unregistered id with recent messages is exactly what a field engineer debugs: answer it.
      if (status === null && messages.length === 0) {
        return sendError(reply, 'not-found', `no device '${id}' registered or heard recently`);
      }
      return { status, messages };
    },
  );
};
