// GET /api/indicators/{id}/changes: a user-defined indicator's change log (issue 14 item 6), oldest first.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChangeLogStore } from '../indicators/change-log.js';
import { needs } from './access.js';
import { ErrorBody, sendError } from './errors.js';

const Change = z.object({
  seq: z.number().int(),
  indicator: z.string(),
  at: z.string(),
  kind: z
    .enum(['definition', 'recompute'])
    .describe('a new definition loaded, or the history recomputed with it'),
  hash: z.string().describe('sha256 of the canonical JSON of the definition'),
  previousHash: z.string().nullable(),
  definition: z.record(z.string(), z.unknown()),
  detail: z.record(z.string(), z.unknown()).nullable().describe("a recompute's range and counts"),
  actor: z.string(),
});

export const indicatorChangesPlugin: FastifyPluginAsync<{
  changes: ChangeLogStore;
  knownIndicator: (id: string) => boolean;
}> = async (app, { changes, knownIndicator }) => {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/indicators/:id/changes',
    {
      ...needs('viewer'),
      schema: {
        tags: ['indicators'],
        summary:
          "An indicator's change log: each new definition loaded at a start, and each recompute written",
        params: z.object({ id: z.string() }),
        response: { 200: z.array(Change), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const entries = await changes.list(req.params.id);
      if (entries.length === 0 && !knownIndicator(req.params.id))
        return sendError(reply, 'not-found', `no indicator '${req.params.id}'`);
      return entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
    },
  );
};
