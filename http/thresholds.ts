// Alert thresholds through the API (CONTRACT §4: from city.json and the API): read them, replace them.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Registry } from '../registry/registry-service.js';
import { needs } from './access.js';
import { recordChange } from './audit-hook.js';

const ThresholdOut = z.object({
  indicator: z.string(),
  scope: z.string(),
  below: z.number(),
  clearAt: z.number(),
  forS: z.number(),
  severity: z.string(),
});
const ErrorBody = z.object({ error: z.string(), message: z.string() });

export const thresholdsPlugin: FastifyPluginAsync<{
  registry: Registry;
  knownIndicator: (id: string) => boolean;
  knownScope: (scope: string) => boolean;
}> = async (app, { registry, knownIndicator, knownScope }) => {
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
      schema: {
        tags: ['alerts'],
        description: 'replace every threshold: [{"indicator","scope","below","clearAt","forS","severity"}]',
        body: z.array(z.record(z.string(), z.unknown())),
        response: { 200: z.array(ThresholdOut), 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const unknown = req.body.flatMap((t, i) => {
        const id = String(t.indicator ?? '');
        const scope = String(t.scope ?? 'city');
        if (id && !knownIndicator(id)) return [`${i}: no indicator '${id}'`];
        if (!knownScope(scope)) return [`${i}: no scope '${scope}' (city or a district)`];
        return [];
      });
      if (unknown.length) return reply.code(400).send({ error: 'bad-request', message: unknown.join('; ') });
      const before = registry.inventory.city.thresholds;
      const r = registry.setThresholds(req.body);
      await registry.written();
      if (r.ok) recordChange(req, { target: null, before, after: r.value });
      return r.ok ? r.value : reply.code(400).send({ error: 'bad-request', message: r.reasons.join('; ') });
    },
  );
};
