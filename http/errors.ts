// CONTRACT §5: every error is JSON `{"error": "<code>", "message": "..."}` with a fitting status.
import type { FastifyReply } from 'fastify';

export function sendError(reply: FastifyReply, status: number, error: string, message: string) {
  return reply.code(status).send({ error, message });
}

export const STATUS_CODE: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  404: 'not-found',
  409: 'conflict',
  413: 'too-large',
  500: 'internal',
  503: 'unavailable',
};
