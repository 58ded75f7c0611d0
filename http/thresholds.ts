// Alert thresholds through the API (docs/contract.md §4: from city.json and the API): read them, replace them.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Registry } from '../registry/registry-service.js';
import { Threshold } from '../registry/row-schemas.js';
import { needs } from './access.js';
import { recordChange } from './audit-hook.js';
import { codeOf, ErrorBody, sendError } from './errors.js';
import { type KnownReferences, refusedItems, unknownReferences } from './indicator-references.js';

const ThresholdOut = z.object({
  indicator: z.string(),
  scope: z.string(),
  below: z.number(),
  clearAt: z.number(),
  forS: z.number(),
  severity: z.string(),
});

export const thresholdsPlugin: FastifyPluginAsync<{ registry: Registry } & KnownReferences> = async (
  app,
  { registry, ...known },
) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/thresholds',
    { ...needs('viewer'), schema: { tags: ['alerts'], response: { 200: z.array(ThresholdOut) } } },
    async () => registry.inventory.city.thresholds,
  );
  api.put(
    '/api/thresholds',
    {
      ...needs('admin', 'threshold.set'),
      ...refusedItems(Threshold, known),
      schema: {
        tags: ['alerts'],
        description: 'replace every threshold: [{"indicator","scope","below","clearAt","forS","severity"}]',
        body: z.array(Threshold),
        response: { 200: z.array(ThresholdOut), 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const unknown = unknownReferences(req.body, known);
      if (unknown) return sendError(reply, unknown.error, unknown.message);
      const before = registry.inventory.city.thresholds;
      const r = registry.setThresholds(req.body);
      await registry.written();
      if (r.ok) recordChange(req, { target: null, before, after: r.value });
      return r.ok ? r.value : sendError(reply, codeOf(r.status), r.reasons.join('; '));
    },
  );
};
