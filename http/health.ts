// `/healthz`: 200 when broker, engine and stores are up, 503 naming the failing part (docs/contract.md §5).
import type { FastifyPluginAsync } from 'fastify';
import { needs } from './access.js';

export type HealthCheck = () => { ok: boolean; detail?: string };

export const healthPlugin: FastifyPluginAsync<{ checks: Record<string, HealthCheck> }> = async (
  app,
  { checks },
) => {
  app.get('/healthz', { ...needs('public'), schema: { tags: ['operations'] } }, async (_req, reply) => {
    const parts = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check()]));
    const failing = Object.entries(parts)
      .filter(([, r]) => !r.ok)
      .map(([n]) => n);
    return reply
      .code(failing.length ? 503 : 200)
      .send({ status: failing.length ? 'failing' : 'ok', failing, parts });
  });
};
