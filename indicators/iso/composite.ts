// Composite indices a city defines itself (a KPI library's Citizen Empowerment Index, …): a weighted mean of
// indicator scores or entered inputs, with an optional target.
import { z } from 'zod';
import { type Checked, type InputProblem, zodProblems } from './problems.js';
import { readScore, type Scores } from './scores.js';

const score = z.number().min(0).max(100);

const CompositeIndexFields = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an id of letters, digits, ".", "_" or "-"'),
  name: z.string().min(1),
  description: z.string().optional(),
  /** `ref` is an indicator id (`L1.7.2`) or the name of a value entered for the index (`participation`). */
  parts: z
    .array(
      z.strictObject({
        ref: z.string().min(1),
        weight: z.number().finite().nonnegative(),
        description: z.string().optional(),
      }),
    )
    .min(1),
  /** `above` is met only past the value ("above 75"); `atLeast` also at it. */
  target: z.union([z.strictObject({ above: score }), z.strictObject({ atLeast: score })]).optional(),
  period: z.enum(['monthly', 'quarterly', 'annual']).optional(),
});

function checkParts(index: { parts: { ref: string; weight: number }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  index.parts.forEach((p, i) => {
    if (seen.has(p.ref))
      ctx.addIssue({
        code: 'custom',
        path: ['parts', i, 'ref'],
        message: `'${p.ref}' appears twice: list each part once`,
      });
    seen.add(p.ref);
  });
  if (index.parts.every((p) => p.weight === 0))
    ctx.addIssue({ code: 'custom', path: ['parts'], message: 'give at least one part a weight above 0' });
}

export const CompositeIndexSchema = CompositeIndexFields.superRefine(checkParts);
/** A definition sent for an id named elsewhere (PUT /api/scorecard/composites/{id}): an `id` in it is ignored. */
export const CompositeDefinitionSchema = CompositeIndexFields.omit({ id: true })
  .extend({ id: z.string().optional().describe("ignored: the index's id is the one in the path") })
  .superRefine(checkParts);
export type CompositeIndex = z.infer<typeof CompositeIndexSchema>;
export type CompositeIndexInput = z.input<typeof CompositeIndexSchema>;

export function parseCompositeIndex(raw: unknown): Checked<CompositeIndex> {
  const parsed = CompositeIndexSchema.safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: zodProblems(parsed.error) };
}

export interface CompositeValue {
  readonly id: string;
  /** Weighted mean of the parts that have values; null when none has. */
  readonly value: number | null;
  /** Share of the weight whose parts have values, 0..1. */
  readonly coverage: number;
  readonly missing: readonly string[];
  /** Null without a target or a value. */
  readonly meetsTarget: boolean | null;
}

export function computeComposite(index: CompositeIndex, values: Scores): Checked<CompositeValue> {
  const problems: InputProblem[] = [];
  let weightAll = 0;
  let weightPresent = 0;
  let weighted = 0;
  const missing: string[] = [];
  for (const part of index.parts) {
    const v = readScore(values, part.ref, problems);
    weightAll += part.weight;
    if (v === null) {
      missing.push(part.ref);
      continue;
    }
    weightPresent += part.weight;
    weighted += part.weight * v;
  }
  if (problems.length > 0) return { ok: false, errors: problems };
  const value = weightPresent > 0 ? weighted / weightPresent : null;
  const t = index.target;
  const meetsTarget =
    t === undefined || value === null ? null : 'above' in t ? value > t.above : value >= t.atLeast;
  return {
    ok: true,
    value: { id: index.id, value, coverage: weightPresent / weightAll, missing, meetsTarget },
  };
}

/**
 * The KPI library's Citizen Empowerment Index: participation, feedback and access on 0..100, weighted
 * equally as the source gives no weights; "above 75" is its target; measured quarterly. Comparable across
 * cities only with their size and demographics beside it.
 */
export const CITIZEN_EMPOWERMENT_INDEX: CompositeIndex = CompositeIndexSchema.parse({
  id: 'citizen-empowerment',
  name: 'Citizen Empowerment Index',
  description: 'A weighted score of participation, feedback and access (0-100).',
  parts: [
    {
      ref: 'participation',
      weight: 1,
      description: 'citizens taking part in consultations, forums and events',
    },
    { ref: 'feedback', weight: 1, description: 'citizen reports and comments received and answered' },
    { ref: 'access', weight: 1, description: 'citizens able to reach services and information online' },
  ],
  target: { above: 75 },
  period: 'quarterly',
});
