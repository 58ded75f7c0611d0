// Current indicators for the operations centre, and the gap behind one: which devices and assets.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CityEngine, Snapshot } from '../engine/city-engine.js';
import { indicatorGap } from '../engine/gap.js';
import { type WhyContext, whyZero } from '../engine/why.js';
import { needs } from './access.js';
import { sendError } from './errors.js';

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
  parts: z.array(z.string()).optional(),
});
const ErrorBody = z.object({ error: z.string(), message: z.string() });

/** Before the engine's first input its clock is at -Infinity: report the time of the answer instead. */
const stamp = (at: number) => new Date(Number.isFinite(at) ? at : Date.now()).toISOString();

export const indicatorsPlugin: FastifyPluginAsync<{
  source: IndicatorSource;
  why?: () => WhyContext;
}> = async (app, { source, why }) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const current = () => source.latest() ?? source.engine().snapshot();
  // Name and unit as on the retained topic (CONTRACT §2), from the engine's catalogue of the moment.
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
        response: { 200: Value.extend({ gap: Gap }), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const s = current();
      const v = s.indicators.find((i) => i.id === req.params.id && i.scope === req.query.scope);
      if (!v) {
        const known = s.indicators.some((i) => i.id === req.params.id);
        return sendError(
          reply,
          404,
          'not-found',
          known ? `no scope '${req.query.scope}' (city or a district)` : `no indicator '${req.params.id}'`,
        );
      }
      const gap = indicatorGap(source.engine(), v.id, v.scope)!;
      return described()({ ...v, ts: stamp(s.at), gap });
    },
  );
};
