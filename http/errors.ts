// CONTRACT §5: every error is JSON `{"error": "<code>", "message": "..."}` with a fitting status.
import type { FastifyReply } from 'fastify';

export function sendError(reply: FastifyReply, status: number, error: string, message: string) {
  return reply.code(status).send({ error, message });
}

export const STATUS_CODE: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'conflict',
  413: 'too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'too-many-requests',
  500: 'internal',
  503: 'unavailable',
};

type FrameworkError = Error & { statusCode?: number; validation?: unknown; code?: string };

/** What fastify's own errors mean for the caller, with the fix named where fastify's words do not. */
const HINTS: Record<string, (err: FrameworkError) => string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) =>
    `${e.message}: send the body as application/json (an upload as multipart/form-data)`,
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'the body is over the 1 MiB limit',
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => `the body is not valid JSON: ${e.message}`,
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    'the body is empty but content-type says application/json: send a JSON body or no content-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'content-length does not match the body sent',
  FST_ERR_BAD_URL: () => 'the URL is malformed (bad percent-encoding)',
};

/**
 * The status and body for any error fastify hands to the error handler: a request fastify or a schema
 * refused is the caller's 4xx, named; anything else is our 500, whose details stay in the log.
 */
export function errorAnswer(err: FrameworkError): {
  status: number;
  body: { error: string; message: string };
} {
  const status = err.validation
    ? 400
    : err.statusCode && err.statusCode >= 400 && err.statusCode < 600
      ? err.statusCode
      : 500;
  // An error nobody gave a status is ours and unforeseen: its details go to the log, not to the caller.
  if (status >= 500 && !err.statusCode) {
    return { status, body: { error: 'internal', message: 'internal error: see the server log' } };
  }
  const hint = err.code ? HINTS[err.code] : undefined;
  return {
    status,
    body: { error: STATUS_CODE[status] ?? 'error', message: hint ? hint(err) : err.message },
  };
}
