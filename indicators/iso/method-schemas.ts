// ISO/IEC 30146 measurement methods as data: zod schemas discriminated on `method`, the inputs each
// method reads (one name, one figure across its parts) and its highest score. The arithmetic is in methods.ts.
import { z } from 'zod';

const EPSILON = 1e-9;

const inputName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an input name of letters, digits and "_", starting with a letter');
const partName = z.string().regex(/^[A-Za-z0-9]+$/, 'a part name of letters and digits, e.g. "b1"');
const text = z.string().min(1);
const points = z.number().positive().max(100);
const pointsOrNone = z.number().min(0).max(100);

/** One named figure the user enters, with the words of the standard saying what it counts. */
export const InputTermSchema = z.strictObject({ name: inputName, description: text });

/** (numerator / denominator) × 100; an empty denominator gives null (docs/contract.md §4). */
export const RatioMethodSchema = z.strictObject({
  method: z.literal('ratio'),
  numerator: InputTermSchema,
  denominator: InputTermSchema,
});

/** A fixed number of points per criterion met (L1.3.1: 25 per online channel). */
export const PointsMethodSchema = z
  .strictObject({
    method: z.literal('points'),
    criteria: z.array(z.strictObject({ name: inputName, description: text, points })).min(1),
  })
  .superRefine((m, ctx) => {
    const total = m.criteria.reduce((sum, c) => sum + c.points, 0);
    if (total > 100 + EPSILON)
      ctx.addIssue({
        code: 'custom',
        path: ['criteria'],
        message: `criteria add up to ${total} points, more than 100`,
      });
  });

/** Points per counted item up to a highest score (L1.7.1: 2 per mobile service, at most 70). */
export const CappedCountMethodSchema = z
  .strictObject({
    method: z.literal('capped-count'),
    count: InputTermSchema,
    pointsEach: points,
    /** The highest score the standard allows; more items do not raise it. */
    cap: points,
    /** How many items exist at all (L5.2.1 names 10 fields); a larger count is an error, not a cap. */
    maxCount: z.int().positive().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.maxCount !== undefined && m.maxCount * m.pointsEach > m.cap + EPSILON)
      ctx.addIssue({
        code: 'custom',
        path: ['maxCount'],
        message: `${m.maxCount} items × ${m.pointsEach} points exceed the cap of ${m.cap}`,
      });
  });

const BandSchema = z.union([
  /** Strictly more than the threshold ("over 90 %"). */
  z.strictObject({ over: z.number(), points: pointsOrNone }),
  /** The threshold or more ("all three portals"). */
  z.strictObject({ atLeast: z.number(), points: pointsOrNone }),
]);
export type Band = z.infer<typeof BandSchema>;
const threshold = (b: Band): number => ('over' in b ? b.over : b.atLeast);

/** 0..100 from a ratio; null for an empty denominator. */
const RatioPartSchema = z.strictObject({
  kind: z.literal('ratio'),
  part: partName,
  numerator: InputTermSchema,
  denominator: InputTermSchema,
});
/** `points` when the input is true, else 0 (L1.2.1's b1 = 60; L2.2.2's b3 = 100 with an agreement). */
const FlagPartSchema = z.strictObject({
  kind: z.literal('flag'),
  part: partName,
  input: inputName,
  description: text,
  points,
});
/** Points from the first band a number falls in, else 0 (L1.8.2's b2 from a percentage). */
const BandsPartSchema = z
  .strictObject({
    kind: z.literal('bands'),
    part: partName,
    input: inputName,
    description: text,
    min: z.number().default(0),
    max: z.number().optional(),
    integer: z.boolean().default(false),
    bands: z.array(BandSchema).min(1),
  })
  .superRefine((p, ctx) => {
    if (p.max !== undefined && p.max < p.min)
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max ${p.max} is below min ${p.min}` });
    for (let i = 1; i < p.bands.length; i++) {
      if (threshold(p.bands[i]) > threshold(p.bands[i - 1]))
        ctx.addIssue({
          code: 'custom',
          path: ['bands', i],
          message: 'list bands from the highest threshold down: the first band that matches gives the points',
        });
    }
  });
/** Points a person awards within 0..max (L5.2.2: "30 points according to the citizen usage"). */
const GradedPartSchema = z.strictObject({
  kind: z.literal('graded'),
  part: partName,
  input: inputName,
  description: text,
  max: points,
});
/** The points of the one described case that applies (L6.1.1: 100, 30 or 0). */
const ChoicePartSchema = z.strictObject({
  kind: z.literal('choice'),
  part: partName,
  input: inputName,
  description: text,
  options: z
    .array(z.strictObject({ value: z.string().min(1), description: text, points: pointsOrNone }))
    .min(2),
});

export const PartSchema = z.discriminatedUnion('kind', [
  RatioPartSchema,
  FlagPartSchema,
  BandsPartSchema,
  GradedPartSchema,
  ChoicePartSchema,
]);
export type Part = z.infer<typeof PartSchema>;

const weight = z.number().positive();
export const WeightedPartSchema = z.discriminatedUnion('kind', [
  RatioPartSchema.extend({ weight }),
  FlagPartSchema.extend({ weight }),
  BandsPartSchema.extend({ weight }),
  GradedPartSchema.extend({ weight }),
  ChoicePartSchema.extend({ weight }),
]);
export type WeightedPart = z.infer<typeof WeightedPartSchema>;

/** The highest score a part can give. */
export function partMax(p: Part): number {
  switch (p.kind) {
    case 'ratio':
      return 100;
    case 'flag':
      return p.points;
    case 'bands':
      return Math.max(0, ...p.bands.map((b) => b.points));
    case 'graded':
      return p.max;
    case 'choice':
      return Math.max(...p.options.map((o) => o.points));
  }
}

function uniqueParts(parts: readonly Part[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  parts.forEach((p, i) => {
    if (seen.has(p.part))
      ctx.addIssue({ code: 'custom', path: ['parts', i, 'part'], message: `part '${p.part}' appears twice` });
    seen.add(p.part);
  });
}

/** b1 + b2 + … of points-giving parts (L1.2.1, L1.8.2, L5.2.2, L6.1.1). */
export const SchemeMethodSchema = z
  .strictObject({ method: z.literal('scheme'), parts: z.array(PartSchema).min(1) })
  .superRefine((m, ctx) => {
    uniqueParts(m.parts, ctx);
    const total = m.parts.reduce((sum, p) => sum + partMax(p), 0);
    if (total > 100 + EPSILON)
      ctx.addIssue({
        code: 'custom',
        path: ['parts'],
        message: `parts can give ${total} points, more than 100`,
      });
  });

/** Σ weight × part, each part on 0..100 (L2.2.1: 0,25 b1 + 0,2 b2 + …). */
export const WeightedMethodSchema = z
  .strictObject({ method: z.literal('weighted'), parts: z.array(WeightedPartSchema).min(1) })
  .superRefine((m, ctx) => {
    uniqueParts(m.parts, ctx);
    const total = m.parts.reduce((sum, p) => sum + p.weight, 0);
    if (Math.abs(total - 1) > EPSILON)
      ctx.addIssue({
        code: 'custom',
        path: ['parts'],
        message: `weights add up to ${total}; they must add up to 1`,
      });
  });

/**
 * The mean over a list of items of (numerator / denominator) × 100 (L4.3.3, by feature type). Items with
 * an empty denominator are left out; with none left the value is null.
 */
export const MeanOfRatiosMethodSchema = z.strictObject({
  method: z.literal('mean-of-ratios'),
  list: InputTermSchema,
  /** What each item's numerator and denominator count. */
  numerator: text,
  denominator: text,
});

const BaseMethodSchema = z.discriminatedUnion('method', [
  RatioMethodSchema,
  PointsMethodSchema,
  CappedCountMethodSchema,
  SchemeMethodSchema,
  WeightedMethodSchema,
  MeanOfRatiosMethodSchema,
]);

/** One of several methods, the city says which applies (L4.3.5: "Either a) … Or … b) …"). */
export const EitherMethodSchema = z
  .strictObject({
    method: z.literal('either'),
    choose: InputTermSchema,
    variants: z
      .array(z.strictObject({ variant: partName, description: text, method: BaseMethodSchema }))
      .min(2),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.variants.forEach((v, i) => {
      if (seen.has(v.variant))
        ctx.addIssue({
          code: 'custom',
          path: ['variants', i, 'variant'],
          message: `variant '${v.variant}' appears twice`,
        });
      seen.add(v.variant);
    });
  });

export const MethodSchema = z
  .discriminatedUnion('method', [
    RatioMethodSchema,
    PointsMethodSchema,
    CappedCountMethodSchema,
    SchemeMethodSchema,
    WeightedMethodSchema,
    MeanOfRatiosMethodSchema,
    EitherMethodSchema,
  ])
  .superRefine((m, ctx) => {
    // One name, one figure: parts may share an input (L2.2.1's b2 and b4 both divide by the cameras in
    // key public areas) only when they read it the same way.
    const shapes = new Map<string, string>();
    for (const spec of allInputs(m)) {
      const { description: _d, variant: _v, ...shape } = spec;
      const key = `${spec.variant ?? ''}/${spec.name}`;
      const before = shapes.get(key);
      if (before !== undefined && before !== JSON.stringify(shape))
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: `input '${spec.name}' is used in two different ways`,
        });
      shapes.set(key, JSON.stringify(shape));
    }
    if (
      m.method === 'either' &&
      allInputs(m).some((s) => s.variant !== undefined && s.name === m.choose.name)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['choose'],
        message: `'${m.choose.name}' is also a variant's input`,
      });
  });
export type Method = z.infer<typeof MethodSchema>;
export type MethodInput = z.input<typeof MethodSchema>;
export type BaseMethod = z.infer<typeof BaseMethodSchema>;

/** What the user enters for an indicator: one spec per input name. */
export type InputSpec = {
  readonly name: string;
  readonly description: string;
  /** Set on the inputs of an `either` variant: they are read only when that variant is chosen. */
  readonly variant?: string;
} & (
  | {
      readonly type: 'number';
      readonly min: number;
      readonly max?: number;
      readonly integer: boolean;
      readonly unit?: 'points';
    }
  | { readonly type: 'boolean' }
  | { readonly type: 'choice'; readonly options: readonly string[] }
  | { readonly type: 'list' }
);

const quantity = (t: { name: string; description: string }): InputSpec => ({
  ...t,
  type: 'number',
  min: 0,
  integer: false,
});

function partInputs(p: Part): InputSpec[] {
  switch (p.kind) {
    case 'ratio':
      return [quantity(p.numerator), quantity(p.denominator)];
    case 'flag':
      return [{ name: p.input, description: p.description, type: 'boolean' }];
    case 'bands':
      return [
        {
          name: p.input,
          description: p.description,
          type: 'number',
          min: p.min,
          max: p.max,
          integer: p.integer,
        },
      ];
    case 'graded':
      return [
        {
          name: p.input,
          description: p.description,
          type: 'number',
          min: 0,
          max: p.max,
          integer: false,
          unit: 'points',
        },
      ];
    case 'choice':
      return [
        { name: p.input, description: p.description, type: 'choice', options: p.options.map((o) => o.value) },
      ];
  }
}

export function baseInputs(m: BaseMethod): InputSpec[] {
  switch (m.method) {
    case 'ratio':
      return [quantity(m.numerator), quantity(m.denominator)];
    case 'points':
      return m.criteria.map((c) => ({ name: c.name, description: c.description, type: 'boolean' }));
    case 'capped-count':
      return [{ ...m.count, type: 'number', min: 0, max: m.maxCount, integer: true }];
    case 'scheme':
    case 'weighted':
      return m.parts.flatMap(partInputs);
    case 'mean-of-ratios':
      return [{ ...m.list, type: 'list' }];
  }
}

function allInputs(m: Method): InputSpec[] {
  return m.method === 'either'
    ? [
        { ...m.choose, type: 'choice' as const, options: m.variants.map((v) => v.variant) },
        ...m.variants.flatMap((v) => baseInputs(v.method).map((s) => ({ ...s, variant: v.variant }))),
      ]
    : baseInputs(m);
}

/** Every input of a method, first use first (a shared input is listed once). */
export function inputsOf(m: Method): InputSpec[] {
  const seen = new Set<string>();
  return allInputs(m).filter((s) => {
    const key = `${s.variant ?? ''}/${s.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The highest score a method can give: 100 for ratios, less for some schemes (L1.7.1 stops at 70). */
export function maxScore(m: Method): number {
  switch (m.method) {
    case 'ratio':
    case 'mean-of-ratios':
      return 100;
    case 'points':
      return m.criteria.reduce((sum, c) => sum + c.points, 0);
    case 'capped-count':
      return m.maxCount === undefined ? m.cap : Math.min(m.cap, m.maxCount * m.pointsEach);
    case 'scheme':
      return m.parts.reduce((sum, p) => sum + partMax(p), 0);
    case 'weighted':
      return m.parts.reduce((sum, p) => sum + p.weight * partMax(p), 0);
    case 'either':
      return Math.max(...m.variants.map((v) => maxScore(v.method)));
  }
}
