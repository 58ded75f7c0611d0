// Device liveness for field engineers and the dashboard map: is a device online, why not, since when,
// what it sent last and what the engine made of it; and every device down. Read-only, like the other GETs.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CityEngine } from '../engine/city-engine.js';
import { deviceStatus } from '../engine/device-status.js';
import { devicesDown } from '../engine/down-publisher.js';
import type { RecentMessages } from '../engine/recent-messages.js';
import { REJECTION_REASONS } from '../engine/rejections.js';
import { DEVICE_KINDS } from '../registry/inventory.js';
import { needs } from './access.js';
import { sendError } from './errors.js';

export interface DeviceStatusSource {
  engine: () => CityEngine;
  recent: RecentMessages;
}

const Reason = z.enum(['offline', 'behind-offline-gateway', 'video-lost', 'not-shared', 'not-hd']);
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
  devices: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      district: z.string().nullable(),
      lat: z.number().nullable(),
      lon: z.number().nullable(),
      reason: Reason,
      since: z.string().nullable(),
    }),
  ),
  truncated: z.literal(true).optional(),
});
const ErrorBody = z.object({ error: z.string(), message: z.string() });

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
        return sendError(reply, 404, 'not-found', `no device '${id}' registered or heard recently`);
      }
      return { status, messages };
    },
  );
};
