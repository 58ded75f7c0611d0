// docs/contract.md §5: every error is JSON `{"error": "<code>", "message": "..."}` with a fitting status.
// The codes and their statuses are one list (as fastify's lib/errors.js is): a route names the code, the
// status follows from it, and no route can answer a code the list does not hold.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

/** Every code the API answers with, and its status. */
export const ERRORS = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'not-acceptable': 406,
  conflict: 409,
  'too-large': 413,
  'uri-too-long': 414,
  'unsupported-media-type': 415,
  unprocessable: 422,
  /** An inventory upload of which nothing was taken; its body also holds the tallies and per-row errors. */
  'nothing-applied': 422,
  'too-many-requests': 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERRORS;

/** The code of a status a store or fastify gave: the first code the list has for it. */
export function codeOf(status: number): ErrorCode {
  const code = (Object.keys(ERRORS) as ErrorCode[]).find((c) => ERRORS[c] === status);
  return code ?? (status >= 500 ? 'internal' : 'bad-request');
}

/** The body of a coded error: `detail` adds fields (the per-input problems, the entry already there). */
export function errorBody(code: ErrorCode, message: string, detail: Record<string, unknown> = {}) {
  return { ...detail, error: code, message };
}

export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  detail: Record<string, unknown> = {},
) {
  return reply.code(ERRORS[code]).send(errorBody(code, message, detail));
}

/** A coded error to throw (or to hand fastify as a validation error): the error handler answers it as is. */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(
    readonly error: ErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.statusCode = ERRORS[error];
  }
  get body() {
    return errorBody(this.error, this.message, this.detail);
  }
}

/**
 * The one error body of every route, a named component (`#/components/schemas/Error`) in the OpenAPI
 * document rather than a copy per route.
 */
export const ErrorBody = z
  .object({
    error: z
      .enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]])
      .describe('a code for programs: one per status (not-found, conflict, …), and nothing-applied'),
    message: z.string().describe('what went wrong and how to fix it, for people'),
  })
  .meta({ id: 'Error' });

/** An error body with fields of its own: the Error component and them (allOf), rather than a copy of it. */
export const errorWith = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.intersection(ErrorBody, z.object(shape));

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
  if (err instanceof HttpError) return { status: err.statusCode, body: err.body };
  const status = err.validation
    ? 400
    : err.statusCode && err.statusCode >= 400 && err.statusCode < 600
      ? err.statusCode
      : 500;
  // A 500 is ours and unforeseen (fastify gives 500 to a throw in a hook or a validator too), as is any 5xx
  // nobody gave a status: its details go to the log, not to the caller.
  if (status === 500 || (status > 500 && !err.statusCode)) {
    return { status, body: errorBody('internal', 'internal error: see the server log') };
  }
  const hint = err.code ? HINTS[err.code] : undefined;
  return { status, body: errorBody(codeOf(status), hint ? hint(err) : err.message) };
}
