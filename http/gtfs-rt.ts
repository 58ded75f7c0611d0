// GET /api/sources/gtfs-rt: each GTFS-Realtime feed this engine polls (--gtfs-rt), its last good poll, its
// last error and its counts, so an operator sees why L1.2.2 reads what it reads without the logs.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ENTITY_REFUSALS } from '../engine/gtfs-rt/feed-forecasts.js';
import { type FeedStatusView, POLL_OUTCOMES } from '../engine/gtfs-rt/feed-status.js';
import { needs } from './access.js';

const time = z.string().nullable();
const counts = <K extends string>(keys: readonly [K, ...K[]]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<K, z.ZodNumber>);

const Feed = z.object({
  url: z.string(),
  source: z.string().describe('how its forecasts are tagged: gtfs-rt:<url>'),
  lastPollAt: time,
  lastOutcome: z.enum(POLL_OUTCOMES).nullable(),
  lastGoodPollAt: time.describe('the last poll whose forecasts counted (ok, or unchanged: HTTP 304)'),
  lastHeaderAt: time.describe('the header timestamp of the last message read'),
  lastError: z.object({ at: z.string(), outcome: z.enum(POLL_OUTCOMES), message: z.string() }).nullable(),
  routes: z.array(z.string()).describe('registry routes the last good message forecast, sorted'),
  polls: counts(POLL_OUTCOMES).describe('polls since start, by outcome'),
  refused: counts(ENTITY_REFUSALS).describe('entities that were no forecast since start, by reason'),
  forecasts: z.number().int().describe('route forecasts handed to the engine since start'),
});

export type GtfsRtSource = () => readonly FeedStatusView[];

export const gtfsRtPlugin: FastifyPluginAsync<{ feeds?: GtfsRtSource }> = async (app, { feeds }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/sources/gtfs-rt',
    {
      ...needs('viewer'),
      schema: {
        tags: ['indicators'],
        description: 'The GTFS-Realtime feeds polled for L1.2.2 (--gtfs-rt URL): empty when none is',
        response: { 200: z.object({ feeds: z.array(Feed) }) },
      },
    },
    async () => ({ feeds: [...(feeds?.() ?? [])] }),
  );
};
