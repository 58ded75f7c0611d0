// GET /api/city: what a client needs to show the city to a person — its name, its IANA time zone (instants
// in the API stay ISO-8601 UTC; render them in this zone), its districts and, when simulated, the buses' hours.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cityTimeZone, districtsOf } from '../registry/inventory.js';
import type { Registry } from '../registry/registry-service.js';
import { formatInZone } from '../registry/time-zone.js';
import { needs } from './access.js';

const CityOut = z.object({
  name: z.string(),
  timeZone: z.string().describe('IANA name, e.g. America/Los_Angeles; UTC when city.json names none'),
  timeZoneDeclared: z.boolean().describe('false when city.json names no timeZone and UTC stands in'),
  localTime: z.string().describe('now on the city’s clocks, e.g. 2026-01-05 06:00 PST'),
  districts: z.array(z.string()),
  simulatedBusHours: z
    .string()
    .nullable()
    .describe('local hours the simulated buses run, e.g. 05:00–24:00; null without a simulated fleet'),
});

export const cityPlugin: FastifyPluginAsync<{ registry: Registry; simulatedBusHours?: string }> = async (
  app,
  { registry, simulatedBusHours },
) => {
  app
    .withTypeProvider<ZodTypeProvider>()
    .get(
      '/api/city',
      { ...needs('viewer'), schema: { tags: ['city'], response: { 200: CityOut } } },
      async () => {
        const inv = registry.inventory;
        const timeZone = cityTimeZone(inv.city);
        return {
          name: inv.city.name,
          timeZone,
          timeZoneDeclared: inv.city.timeZone !== undefined,
          localTime: formatInZone(Date.now(), timeZone),
          districts: districtsOf(inv),
          simulatedBusHours: simulatedBusHours ?? null,
        };
      },
    );
};
