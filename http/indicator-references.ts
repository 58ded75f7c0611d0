// Thresholds and objectives are lists of items naming an indicator and a scope (PUT /api/thresholds,
// /api/objectives): each item is checked as city.json's are, and what it names must exist in the city's
// model, which no schema knows. The refusals name the item by its index: `1: no indicator 'L9'`.
import type { z } from 'zod';
import { parseEach } from '../registry/registry-service.js';
import { refusedBody } from './body-refusal.js';
import { HttpError } from './errors.js';

export interface KnownReferences {
  knownIndicator: (id: string) => boolean;
  knownScope: (scope: string) => boolean;
}

/** The first unknown reference of each item, before the items' own rules are looked at. */
export function unknownReferences(
  items: readonly Record<string, unknown>[],
  { knownIndicator, knownScope }: KnownReferences,
): HttpError | undefined {
  const problems = items.flatMap((t, i) => {
    // Raw JSON, not yet checked: a field that is no string names nothing (the item's own rules say why).
    const id = typeof t.indicator === 'string' ? t.indicator : '';
    const scope = typeof t.scope === 'string' ? t.scope : 'city';
    if (id && !knownIndicator(id)) return [`${i}: no indicator '${id}'`];
    if (!knownScope(scope)) return [`${i}: no scope '${scope}' (city or a district)`];
    return [];
  });
  return problems.length ? new HttpError('bad-request', problems.join('; ')) : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Route options for a body that is a list of `item`s: one the schema refused is answered as a valid one
 * with the same mistakes would be by the route, unknown references first, then each item's reasons. Not a
 * list of objects at all: the schema's own words.
 */
export function refusedItems(item: z.ZodType, known: KnownReferences) {
  return refusedBody((raw) => {
    if (!Array.isArray(raw) || !raw.every(isRecord)) return undefined;
    const unknown = unknownReferences(raw, known);
    if (unknown) return unknown;
    const parsed = parseEach(item, raw);
    return parsed.ok ? undefined : new HttpError('bad-request', parsed.reasons.join('; '));
  });
}
