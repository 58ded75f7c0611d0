// Current indicators for the operations centre, and the gap behind one: which devices and assets.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CityEngine, Snapshot } from '../engine/city-engine.js';
import { indicatorGap } from '../engine/gap.js';
import { type WhyContext, whyZero } from '../engine/why.js';
import { needs } from './access.js';
import { ErrorBody, sendError } from './errors.js';

export interface IndicatorSource {
  engine(): CityEngine;
  latest(): Snapshot | undefined;
}

const Value = z.object({
  id: z.string(),
  name: z.string().describe("the indicator's name, as in the catalogue"),
  unit: z.string().describe('`%` for the ISO/IEC 30146 shares'),
  scope: z.string(),
  value: z.number().nullable(),
  numerator: z.number().nullable(),
  denominator: z.number().nullable(),
  means: z.record(z.string(), z.number().nullable()),
  excluded: z
    .object({ maintenance: z.number() })
    .optional()
    .describe(
      'operational availability.* shares: devices in maintenance left out of numerator and denominator',
    ),
  plannedGap: z
    .number()
    .optional()
    .describe('ISO/IEC 30146 ratios: how much of the gap (denominator − numerator) is in maintenance'),
  quality: z
    .object({
      flag: z.enum(['good', 'degraded', 'unknown']),
      coverage: z.number().nullable().describe('share of the expected devices heard within their interval'),
      stalenessMs: z.number().nullable().describe('age of the newest message behind the value, at `ts`'),
      heard: z.number(),
      expected: z.number().describe('devices the value counts, less those in maintenance'),
      reason: z.string().optional().describe('why the flag is not good'),
    })
    .optional()
    .describe('how sure the value is (docs/indicators.md, "Data quality"); absent on a cluster\'s API nodes'),
  ts: z.string(),
  why: z
    .string()
    .optional()
    .describe('when the value is 0 or null, why in a line: "0 of 60 routes have a bus in service (…)"'),
});
const Gap = z.object({
  devices: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      reason: z.string(),
      since: z.string().nullable(),
      lastSeen: z.string().nullable(),
    }),
  ),
  assets: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      devices: z.array(z.string()),
      since: z.string().nullable(),
    }),
  ),
  devicesTotal: z
    .number()
    .int()
    .describe('the devices behind the gap in all; `devices` lists the first 1,000'),
  assetsTotal: z.number().int().describe('the assets not covered in all; `assets` lists the first 1,000'),
  parts: z.array(z.string()).optional(),
});

/** Before the engine's first input its clock is at -Infinity: report the time of the answer instead. */
const stamp = (at: number) => new Date(Number.isFinite(at) ? at : Date.now()).toISOString();

export const indicatorsPlugin: FastifyPluginAsync<{
  source: IndicatorSource;
  why?: () => WhyContext;
}> = async (app, { source, why }) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const current = () => source.latest() ?? source.engine().snapshot();
  // Name and unit as on the retained topic (docs/contract.md §2), from the engine's catalogue of the moment.
  const described = () => {
    const defs = new Map(source.engine().model.indicators.map((c) => [c.def.id, c.def]));
    return <
      V extends { id: string; value: number | null; numerator: number | null; denominator: number | null },
    >(
      v: V,
    ) => {
      const def = defs.get(v.id);
      // The row with its `why` when it reads 0 or has no value.
      const text = def && why ? whyZero(def, v, why()) : undefined;
      const row = { ...v, name: def?.name ?? v.id, unit: def?.unit ?? '%' };
      return text === undefined ? row : { ...row, why: text };
    };
  };

  api.get(
    '/api/indicators',
    { ...needs('viewer'), schema: { tags: ['indicators'], response: { 200: z.array(Value) } } },
    async () => {
      const s = current();
      const ts = stamp(s.at);
      const describe = described();
      return s.indicators.map((i) => describe({ ...i, ts }));
    },
  );

  api.get(
    '/api/indicators/:id',
    {
      ...needs('viewer'),
      schema: {
        tags: ['indicators'],
        params: z.object({ id: z.string() }),
        querystring: z.object({ scope: z.string().default('city') }),
        response: {
          200: Value.extend({
            gap: Gap,
            zero: z
              .string()
              .optional()
              .describe('what a 0 would mean, whatever the value: "0 of 4 cctv devices are online"'),
          }),
          404: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const s = current();
      const v = s.indicators.find((i) => i.id === req.params.id && i.scope === req.query.scope);
      if (!v) {
        const known = s.indicators.some((i) => i.id === req.params.id);
        return sendError(
          reply,
          'not-found',
          known ? `no scope '${req.query.scope}' (city or a district)` : `no indicator '${req.params.id}'`,
        );
      }
      const gap = indicatorGap(source.engine(), v.id, v.scope)!;
      // A gauge's explanation says what its 0 would mean, so a reader of 93 knows what 100 counts.
      const def = source.engine().model.indicators.find((c) => c.def.id === v.id)?.def;
      const zero = def && why ? whyZero(def, { ...v, value: 0, numerator: 0 }, why()) : undefined;
      return described()({ ...v, ts: stamp(s.at), gap, ...(zero === undefined ? {} : { zero }) });
    },
  );
};
