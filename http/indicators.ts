// Current indicators for the operations centre, and the gap behind one: which devices and assets.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CityEngine, Snapshot } from '../engine/city-engine.js';
import { indicatorGap } from '../engine/gap.js';
import { type WhyContext, whyZero } from '../engine/why.js';
import { sendError } from './errors.js';

export interface IndicatorSource {
  engine(): CityEngine;
  latest(): Snapshot | undefined;
}

const Value = z.object({
  id: z.string(),
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
  /** The row with its `why` when it reads 0 or has no value. */
  const explained = <
    T extends { id: string; value: number | null; numerator: number | null; denominator: number | null },
  >(
    row: T,
  ): T & { why?: string } => {
    const def = why && source.engine().model.indicators.find((c) => c.def.id === row.id)?.def;
    const text = def ? whyZero(def, row, why()) : undefined;
    return text === undefined ? row : { ...row, why: text };
  };

  api.get(
    '/api/indicators',
    { schema: { tags: ['indicators'], response: { 200: z.array(Value) } } },
    async () => {
      const s = current();
      const ts = stamp(s.at);
      return s.indicators.map((i) => explained({ ...i, ts }));
    },
  );

  api.get(
    '/api/indicators/:id',
    {
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
      return { ...explained(v), ts: stamp(s.at), gap };
    },
  );
};
