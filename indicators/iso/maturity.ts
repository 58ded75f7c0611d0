// PAS 181 maturity: five levels, score bands that map a hundred-mark score to a level, and per-component
// self-assessments a person makes with indicators cited as evidence (MATURITY.md).
import { z } from 'zod';
import { atMost, LIMITS } from '../../registry/text-limits.js';
import { ISO30146_CATALOGUE } from './iso30146.js';
import { type Checked, type InputProblem, zodProblems } from './problems.js';
import { readScore, type Scores } from './scores.js';

export const MATURITY_LEVELS = [
  { level: 1, name: 'lagging' },
  { level: 2, name: 'developing' },
  { level: 3, name: 'competent' },
  { level: 4, name: 'progressive' },
  { level: 5, name: 'excelling' },
] as const;
export type MaturityLevel = (typeof MATURITY_LEVELS)[number];
export type MaturityLevelNumber = MaturityLevel['level'];

const cut = z.number().min(0).max(100);
/**
 * Four cut points between the five levels, strictly ascending within 0..100. A score equal to a cut point
 * belongs to the higher level: with the defaults, 20 is developing and 19.99 lagging.
 */
export const MaturityBandsSchema = z.tuple([cut, cut, cut, cut]).superRefine((bands, ctx) => {
  for (let i = 1; i < bands.length; i++) {
    if (bands[i] <= bands[i - 1])
      ctx.addIssue({
        code: 'custom',
        path: [i],
        message: `cut points must rise: ${bands[i]} does not come after ${bands[i - 1]}`,
      });
  }
});
export type MaturityBands = readonly [number, number, number, number];

/** Equal fifths of the hundred-mark scale; no public source fixes the bands, so they are configurable. */
export const DEFAULT_MATURITY_BANDS: MaturityBands = [20, 40, 60, 80];

export function parseMaturityBands(raw: unknown): Checked<MaturityBands> {
  const parsed = MaturityBandsSchema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, errors: zodProblems(parsed.error, 'bands') };
}

export class MaturityConfigError extends Error {
  readonly code = 'ERR_MATURITY_CONFIG';
}

/**
 * The level a score implies; null for a null score. Bands are configuration, checked once at the edge with
 * parseMaturityBands, so invalid ones (or a score outside 0..100) here are a bug and throw.
 */
export function maturityLevel(
  score: number | null,
  bands: MaturityBands = DEFAULT_MATURITY_BANDS,
): MaturityLevel | null {
  const checked = parseMaturityBands(bands);
  if (!checked.ok)
    throw new MaturityConfigError(
      `invalid maturity bands: ${checked.errors.map((e) => `${e.input}: ${e.message}`).join('; ')}`,
    );
  if (score === null) return null;
  if (!Number.isFinite(score) || score < 0 || score > 100)
    throw new RangeError(`maturity needs a score from 0 to 100, got ${score}`);
  const above = bands.filter((edge) => score >= edge).length;
  return MATURITY_LEVELS[above];
}

export interface MaturityComponent {
  readonly id: string;
  readonly name: string;
  /** Clauses of PAS 181 the component draws on, where our source names them. */
  readonly pasReferences: readonly string[];
}

export const MaturityComponentSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case id with dashes, e.g. "data-governance"'),
  name: z.string().min(1),
  pasReferences: z.array(z.string().min(1)).default([]),
});

/** The six components named in our source; the seventh is added by the city with MaturityComponentSchema. */
export const PAS181_COMPONENTS: readonly MaturityComponent[] = [
  {
    id: 'leadership-environment',
    name: 'Leadership environment',
    pasReferences: ['A', 'B1', 'B3', 'B8', 'D'],
  },
  { id: 'customer-stakeholder-focus', name: 'Customer/stakeholder focus', pasReferences: ['B9', 'B10'] },
  { id: 'service-enablement', name: 'Service enablement', pasReferences: ['B2', 'B3', 'B5', 'B7'] },
  { id: 'service-delivery', name: 'Service delivery', pasReferences: [] },
  {
    id: 'digital-asset-management',
    name: 'Digital asset management',
    pasReferences: ['B6', 'B11', 'B12', 'B13', 'B14'],
  },
  { id: 'physical-asset-management', name: 'Physical asset management', pasReferences: [] },
];

/** A level a person chose for one component, on a date, citing indicators as evidence. */
export const SelfAssessmentSchema = z.strictObject({
  // Bounded as every text a person sets is (registry/text-limits.ts).
  component: z.string().min(1).max(LIMITS.id, atMost(LIMITS.id)),
  level: z
    .int()
    .min(1, 'a level from 1 (lagging) to 5 (excelling)')
    .max(5, 'a level from 1 (lagging) to 5 (excelling)'),
  by: z.string().min(1, 'name the person who assessed').max(LIMITS.name, atMost(LIMITS.name)),
  at: z.iso.datetime({ offset: true, message: 'an RFC 3339 date and time, e.g. "2026-11-23T10:00:00Z"' }),
  /** Indicator ids whose scores support the level; may be empty when no indicator measures the component. */
  evidence: z
    .array(z.string().min(1).max(LIMITS.id, atMost(LIMITS.id)))
    .max(1000, 'at most 1,000 indicators')
    .default([]),
  note: z.string().max(LIMITS.attributeValue, atMost(LIMITS.attributeValue)).optional(),
});
export type SelfAssessment = z.infer<typeof SelfAssessmentSchema>;

export interface AssessmentContext {
  /** Indicators that may be cited; the standard catalogue by default (add the city's own). */
  readonly catalogue?: readonly { readonly id: string }[];
  readonly components?: readonly MaturityComponent[];
}

export function parseSelfAssessment(raw: unknown, context: AssessmentContext = {}): Checked<SelfAssessment> {
  const parsed = SelfAssessmentSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: zodProblems(parsed.error) };
  const a = parsed.data;
  const components = context.components ?? PAS181_COMPONENTS;
  const known = new Set((context.catalogue ?? ISO30146_CATALOGUE).map((d) => d.id));
  const problems: InputProblem[] = [];
  if (!components.some((c) => c.id === a.component))
    problems.push({
      input: 'component',
      message: `unknown component '${a.component}': use one of ${components.map((c) => c.id).join(', ')}, or add it`,
    });
  a.evidence.forEach((id, i) => {
    if (!known.has(id))
      problems.push({
        input: `evidence.${i}`,
        message: `'${id}' is not an indicator in the catalogue: cite an existing id`,
      });
  });
  return problems.length > 0 ? { ok: false, errors: problems } : { ok: true, value: a };
}

export interface EvidenceComparison {
  readonly component: string;
  readonly selfAssessed: MaturityLevel;
  /** Level of the mean score of the cited indicators that have values; null when none has. */
  readonly implied: MaturityLevel | null;
  readonly meanScore: number | null;
  /** Cited indicators without a score. */
  readonly missing: readonly string[];
  /** selfAssessed − implied: positive when the person rated the city higher than its indicators. */
  readonly difference: number | null;
  readonly verdict: 'agrees' | 'self-higher' | 'self-lower' | 'no-evidence';
}

/** Set a self-assessed level beside the level its cited indicators imply (plain mean of their scores). */
export function compareWithEvidence(
  assessment: SelfAssessment,
  scores: Scores,
  bands: MaturityBands = DEFAULT_MATURITY_BANDS,
): Checked<EvidenceComparison> {
  const problems: InputProblem[] = [];
  const cited = assessment.evidence.map((id) => ({ id, score: readScore(scores, id, problems) }));
  if (problems.length > 0) return { ok: false, errors: problems };
  const present = cited.filter((c) => c.score !== null).map((c) => c.score as number);
  const meanScore = present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : null;
  const implied = maturityLevel(meanScore, bands);
  const selfAssessed = MATURITY_LEVELS[assessment.level - 1];
  const difference = implied === null ? null : selfAssessed.level - implied.level;
  const verdict =
    difference === null
      ? 'no-evidence'
      : difference === 0
        ? 'agrees'
        : difference > 0
          ? 'self-higher'
          : 'self-lower';
  return {
    ok: true,
    value: {
      component: assessment.component,
      selfAssessed,
      implied,
      meanScore,
      missing: cited.filter((c) => c.score === null).map((c) => c.id),
      difference,
      verdict,
    },
  };
}
