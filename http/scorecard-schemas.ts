// The scorecard API's request and response schemas (zod): they validate at the boundary and feed OpenAPI.
import { z } from 'zod';
import type { AdminEntry } from '../scorecard/admin-inputs.js';
import { errorWith } from './errors.js';

export const Problem = z.object({ input: z.string(), message: z.string() });
export const ProblemsBody = errorWith({
  errors: z.array(Problem).optional().describe('one per refused input, when the inputs are at fault'),
});
export const score = z.number().nullable();

export const Entry = z.object({
  entryId: z.number(),
  indicator: z.string(),
  period: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  value: score,
  source: z.string(),
  enteredBy: z.string(),
  enteredAt: z.string(),
  supersededBy: z.number().nullable(),
  supersededAt: z.string().nullable(),
  current: z.boolean(),
});
export const entryOut = (e: AdminEntry) => ({
  ...e,
  inputs: { ...e.inputs },
  current: e.supersededBy === null,
});

export const RollUpOut = z.object({
  id: z.string(),
  name: z.string(),
  level: z.enum(['overall', 'first', 'second', 'third']),
  value: score,
  coverage: z.number(),
  missing: z.array(z.string()),
  parts: z.array(z.string()),
});
export const LevelOut = z.object({
  id: z.string(),
  name: z.string(),
  score,
  level: z.number().nullable(),
  levelName: z.string().nullable(),
});
export const ScorecardOut = z.object({
  city: z.string(),
  period: z.string(),
  liveNote: z.string(),
  indicators: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      section: z.string(),
      secondLevel: z.string(),
      kind: z.enum(['live', 'administrative']),
      userDefined: z.boolean().describe("the city's own indicator, not one of the standard's"),
      value: score,
      coverage: z
        .number()
        .describe(
          'how much of the period the value stands for: a live one, the share with history behind it',
        ),
      source: z.string().nullable().describe("'live' for an engine value, else the entry's source"),
      period: z.string().nullable(),
      enteredBy: z.string().nullable(),
      enteredAt: z.string().nullable(),
    }),
  ),
  rollUps: z.array(RollUpOut),
  maturity: z.object({
    bands: z.array(z.number()),
    overall: LevelOut,
    firstLevel: z.array(LevelOut),
    selfAssessments: z.array(
      z.object({
        component: z.string(),
        componentName: z.string(),
        level: z.number(),
        levelName: z.string(),
        by: z.string(),
        at: z.string(),
        evidence: z.array(z.string()),
        note: z.string().nullable(),
        impliedLevel: z.number().nullable(),
        impliedLevelName: z.string().nullable(),
        meanScore: score,
        missingEvidence: z.array(z.string()),
        verdict: z.enum(['agrees', 'self-higher', 'self-lower', 'no-evidence']),
      }),
    ),
  }),
  composites: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      target: z.string().nullable(),
      measured: z.string().nullable(),
      value: score,
      coverage: z.number(),
      missing: z.array(z.string()),
      meetsTarget: z.boolean().nullable(),
      period: z.string().nullable(),
      source: z.string().nullable(),
      parts: z.array(z.object({ ref: z.string(), weight: z.number(), value: score })),
    }),
  ),
  missing: z.array(z.string()),
});

export const PeriodQuery = z.object({
  period: z.string().optional().describe('"2026" or "2026-Q3"; the current year (UTC) when left out'),
});
export const EntryBody = z.object({
  indicator: z.string().optional().describe('a catalogue id such as "L1.1.1", or a composite index id'),
  period: z.string().optional().describe('"2026" or "2026-Q3"'),
  inputs: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('named as GET /api/scorecard/indicators lists'),
  source: z.string().optional().describe('where the figures come from'),
  by: z.string().optional().describe('the person entering them'),
  replace: z.boolean().optional().describe('supersede the value already entered for the period'),
});
export const CompositeValuesBody = EntryBody.omit({ indicator: true, inputs: true }).extend({
  values: z.record(z.string(), z.unknown()).optional().describe("the index's own parts, 0-100 each"),
});
