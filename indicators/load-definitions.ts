// User-defined indicators from a JSON or YAML text, in the catalogue's own form (docs/contract.md §4).
// Pure: the caller reads the file; this parses, validates and checks references.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type IndicatorDef, type IndicatorInput, IndicatorSchema } from './definition.js';
import { yamlDepthProblem } from './yaml-depth.js';

const IndicatorListSchema = z.array(IndicatorSchema);

export class IndicatorDefinitionError extends Error {
  readonly code = 'ERR_INDICATOR_DEFINITION';
}

/** Parse a file's text; `name` is used in messages (`indicators.yaml: 2.parts.0.weight: expected number`). */
export function parseIndicatorText(text: string, name: string): IndicatorDef[] {
  let raw: unknown;
  const tooDeep = /\.ya?ml$/i.test(name) ? yamlDepthProblem(text) : undefined;
  if (tooDeep) throw new IndicatorDefinitionError(`${name}: not read: ${tooDeep}; no definition needs that`);
  try {
    // logLevel 'error': a stray YAML directive in a user's file is not worth a process warning.
    raw = /\.ya?ml$/i.test(name) ? parseYaml(text, { logLevel: 'error' }) : JSON.parse(text);
  } catch (err) {
    throw new IndicatorDefinitionError(
      `${name}: not valid ${/\.ya?ml$/i.test(name) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
    );
  }
  // Pick the file's shape first, so errors point into the entry rather than at the whole file.
  const list = Array.isArray(raw) ? raw : (raw as { indicators?: unknown } | null)?.indicators;
  const parsed = IndicatorListSchema.safeParse(list);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = Array.isArray(list) ? issue.path.join('.') : '(top)';
    const what = Array.isArray(list)
      ? issue.message
      : 'expected a list of indicators, or { "indicators": [...] }';
    throw new IndicatorDefinitionError(`${name}: ${where}: ${what}`);
  }
  return parsed.data;
}

/**
 * The catalogue plus user definitions, validated as a whole: unique ids (a user definition may not
 * silently replace a standard one), weighted parts that name known indicators, no cycles. Returned in an
 * order where every weighted indicator comes after its parts.
 */
export function buildCatalogue(
  base: readonly IndicatorInput[],
  extra: readonly IndicatorDef[] = [],
): IndicatorDef[] {
  const all = [...base.map((d) => IndicatorSchema.parse(d)), ...extra];
  const byId = new Map<string, IndicatorDef>();
  for (const d of all) {
    if (byId.has(d.id))
      throw new IndicatorDefinitionError(`indicator '${d.id}' is defined twice: give it another id`);
    byId.set(d.id, d);
  }
  const ordered: IndicatorDef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (d: IndicatorDef, path: string[]): void => {
    if (state.get(d.id) === 'done') return;
    if (state.get(d.id) === 'visiting') {
      throw new IndicatorDefinitionError(
        `indicator '${d.id}' depends on itself: ${[...path, d.id].join(' → ')}`,
      );
    }
    state.set(d.id, 'visiting');
    if (d.kind === 'weighted') {
      for (const p of d.parts) {
        if (!('indicator' in p)) continue;
        const part = byId.get(p.indicator);
        if (!part)
          throw new IndicatorDefinitionError(`indicator '${d.id}' names an unknown part '${p.indicator}'`);
        visit(part, [...path, d.id]);
      }
    }
    state.set(d.id, 'done');
    ordered.push(d);
  };
  for (const d of all) visit(d, []);
  return ordered;
}
