// GET /api/districts: the city's districts with their names and outlines (issue 10 item 2), for a map or a
// form's district list. Every scope but `city`: declared ones, and any a registry from an older version
// names without declaring (named by its id).
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { districtsOf } from '../registry/inventory.js';
import type { Registry } from '../registry/registry-service.js';
import { needs } from './access.js';

const District = z.object({
  id: z.string(),
  name: z.string(),
  declared: z.boolean().describe('false: named by rows only, in a city.json that declares no districts'),
  outline: z
    .object({ type: z.enum(['Polygon', 'MultiPolygon']), coordinates: z.unknown() })
    .optional()
    .describe('GeoJSON geometry, [lon, lat]'),
});

export const districtsPlugin: FastifyPluginAsync<{ registry: Registry }> = async (app, { registry }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/districts',
    {
      ...needs('viewer'),
      schema: { tags: ['registry'], response: { 200: z.object({ districts: z.array(District) }) } },
    },
    async () => {
      const inv = registry.inventory;
      const declared = new Map(inv.city.districts?.map((d) => [d.id, d]));
      return {
        districts: districtsOf(inv).map((id) => {
          const d = declared.get(id);
          return d ? { ...d, declared: true } : { id, name: id, declared: false };
        }),
      };
    },
  );
};
