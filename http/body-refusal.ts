// A request body is checked by the exported zod schema it is documented with (so OpenAPI shows its fields),
// but a body the schema refuses is answered in the words the same mistake gets everywhere else (city.json,
// the CLI, the scorecard's per-input problems): the schema's bare issues would name neither field nor fix.
import type { FastifySchemaCompiler } from 'fastify';
import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { type ZodError, type ZodType, z } from 'zod';
import type { HttpError } from './errors.js';

/** The coded error for a body the schema refused; undefined keeps the schema's own words. */
export type BodyRefusal = (raw: unknown, error: ZodError) => HttpError | undefined;

/**
 * Route options: the route's validator, as the server's for its params and query, and for its body the
 * schema's check with `refusal` answering a body it refuses (a coded error, which the error handler sends
 * as it is).
 */
export function refusedBody(refusal: BodyRefusal): { validatorCompiler: FastifySchemaCompiler<unknown> } {
  return {
    // Typed for any route's schema object; every schema of ours is a zod one.
    validatorCompiler: (route) => {
      const zodRoute = route as FastifyRouteSchemaDef<ZodType>;
      const check = validatorCompiler(zodRoute);
      if (route.httpPart !== 'body') return check;
      return (raw: unknown) => {
        const parsed = z.safeParse(zodRoute.schema, raw);
        if (parsed.success) return { value: parsed.data };
        const refused = refusal(raw, parsed.error);
        return refused ? { error: refused } : check(raw);
      };
    },
  };
}
