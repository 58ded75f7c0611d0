// The ISO/IEC 30146 scorecard over HTTP (issue 6): the whole catalogue with live and administrative values,
// roll-ups, PAS 181 maturity and composite indices; administrative inputs and settings behind the admin
// token; and `GET /report`, the same scorecard as the self-contained HTML page `citygauge report` writes.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PeriodBudget } from '../indicators/error-budget.js';
import { CompositeDefinitionSchema, CompositeIndexSchema } from '../indicators/iso/composite.js';
import { type InputProblem, inputsOf } from '../indicators/iso/index.js';
import {
  MaturityBandsSchema,
  parseMaturityBands,
  parseSelfAssessment,
  SelfAssessmentSchema,
} from '../indicators/iso/maturity.js';
import { type Checked, zodProblems } from '../indicators/iso/problems.js';
import { parseRollUpWeights, RollUpWeightsSchema } from '../indicators/iso/rollup.js';
import type { EntryOutcome, ScorecardStore } from '../scorecard/admin-inputs.js';
import type { LiveValues } from '../scorecard/live-history.js';
import { currentYear, isPeriod, type Period, parsePeriod } from '../scorecard/period.js';
import { renderReportHtml } from '../scorecard/report-html.js';
import { scorecardFromStore } from '../scorecard/scorecard.js';
import { needs } from './access.js';
import { recordChange } from './audit-hook.js';
import { refusedBody } from './body-refusal.js';
import { ErrorBody, errorWith, HttpError, sendError } from './errors.js';
import {
  CompositeValuesBody,
  Entry,
  EntryBody,
  entryOut,
  PeriodQuery,
  ProblemsBody,
  ScorecardOut,
} from './scorecard-schemas.js';

export interface ScorecardSource {
  store: ScorecardStore;
  /** Live indicators over a period, by the one rule `citygauge report` follows too (scorecard/live-history.ts). */
  live: (period: Period) => Promise<LiveValues> | LiveValues;
  /** The city's error budgets over a period, shown in /report (scorecard/period-budgets.ts). */
  budgets?: (period: Period) => Promise<readonly PeriodBudget[]>;
}
const summary = (errors: readonly InputProblem[]) => errors.map((e) => `${e.input}: ${e.message}`).join('; ');

/** Refused inputs: each problem in `errors`, and all of them in the message. */
const problems = (errors: readonly InputProblem[]) =>
  new HttpError('bad-request', summary(errors), { errors: [...errors] });

function badRequest(reply: FastifyReply, errors: readonly InputProblem[]) {
  const refused = problems(errors);
  return sendError(reply, refused.error, refused.message, refused.detail);
}

/** A body its schema refused, answered with the problems the store's own parser finds in it. */
const refusedAs = (parse: (raw: unknown) => Checked<unknown>) =>
  refusedBody((raw) => {
    const r = parse(raw);
    return r.ok ? undefined : problems(r.errors);
  });

function answerEntry(reply: FastifyReply, outcome: EntryOutcome) {
  if (outcome.ok)
    return reply.code(201).send({
      entry: entryOut(outcome.entry),
      superseded: outcome.superseded ? entryOut(outcome.superseded) : null,
    });
  if (outcome.status === 409)
    return sendError(reply, 'conflict', outcome.message, { current: entryOut(outcome.current) });
  return badRequest(reply, outcome.errors);
}

export const scorecardPlugin: FastifyPluginAsync<
  ScorecardSource & { cityName: () => string; timeZone: () => string }
> = async (app, { store, live, budgets, cityName, timeZone }) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['scorecard'];
  // Answered once stored: at once on SQLite; on PostgreSQL a refused write is its error's 409 or 503.
  const stored = async <T>(result: T): Promise<T> => {
    await store.written();
    return result;
  };
  const card = async (period: Period) => {
    const l = await live(period);
    return scorecardFromStore(store, period.id, l.values, l.note, l.coverage);
  };
  // A year or a quarter of the city's calendar; the city's current year when not given.
  const periodOf = (raw: string | undefined) =>
    parsePeriod(raw ?? currentYear(Date.now(), timeZone()), timeZone());

  api.get(
    '/api/scorecard',
    {
      ...needs('viewer'),
      schema: {
        tags,
        description:
          'every catalogue indicator with its value and source, the roll-ups, maturity and composites',
        querystring: PeriodQuery,
        response: { 200: ScorecardOut, 400: ProblemsBody },
      },
    },
    async (req, reply) => {
      const period = periodOf(req.query.period);
      if (!isPeriod(period)) return badRequest(reply, [period]);
      // The scorecard's readonly arrays are plain arrays at run time.
      return { city: cityName(), ...(await card(period)) } as unknown as z.infer<typeof ScorecardOut>;
    },
  );

  api.get(
    '/api/scorecard/indicators',
    {
      ...needs('viewer'),
      schema: {
        tags,
        description:
          "the ISO/IEC 30146 catalogue and the city's own indicators: measurement method and the inputs to enter",
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              description: z.string(),
              section: z.string(),
              secondLevel: z.string(),
              source: z.enum(['live', 'administrative']),
              userDefined: z
                .boolean()
                .describe("the city's own (scorecard-indicators.json|yaml), e.g. cyber security L6.2.x"),
              method: z.record(z.string(), z.unknown()),
              inputs: z.array(z.record(z.string(), z.unknown())),
            }),
          ),
        },
      },
    },
    async () =>
      store.catalogue.map((d) => ({
        ...d,
        userDefined: store.isUserDefined(d.id),
        method: d.method as unknown as Record<string, unknown>,
        inputs: inputsOf(d.method) as unknown as Record<string, unknown>[],
      })),
  );

  api.post(
    '/api/scorecard/inputs',
    {
      ...needs('admin', 'scorecard.input'),
      schema: {
        tags,
        description:
          'enter the figures of an administrative indicator (or a composite index) for a period; the value is ' +
          'computed by the measurement method. A second entry for the same period needs replace: true.',
        body: EntryBody,
        response: {
          201: z.object({ entry: Entry, superseded: Entry.nullable() }),
          400: ProblemsBody,
          401: ErrorBody,
          409: errorWith({ current: Entry.describe('the value already entered for the period') }),
        },
      },
    },
    async (req, reply) => {
      recordChange(req, { target: [req.body.indicator, req.body.period].filter(Boolean).join(' ') || null });
      return answerEntry(reply, await stored(store.enter(req.body)));
    },
  );

  api.get(
    '/api/scorecard/inputs',
    {
      ...needs('viewer'),
      schema: {
        tags,
        description: 'entries, superseded ones included (current: false), oldest first',
        querystring: z.object({ indicator: z.string().optional(), period: z.string().optional() }),
        response: { 200: z.array(Entry) },
      },
    },
    async (req) => store.history(req.query).map(entryOut),
  );

  api.get(
    '/api/scorecard/weights',
    { ...needs('viewer'), schema: { tags, response: { 200: z.record(z.string(), z.number()) } } },
    async () => store.weights(),
  );
  api.put(
    '/api/scorecard/weights',
    {
      ...needs('admin', 'scorecard.weights'),
      ...refusedAs((raw) => parseRollUpWeights(raw)),
      schema: {
        tags,
        description: 'weight of each node among its siblings ({"L1": 2, "L1.7.1": 0.5}); 1 when not given',
        body: RollUpWeightsSchema,
        response: { 200: z.record(z.string(), z.number()), 400: ProblemsBody, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      recordChange(req, { target: null, before: store.weights() });
      const r = await stored(store.setWeights(req.body));
      return r.ok ? r.value : badRequest(reply, r.errors);
    },
  );

  api.get(
    '/api/scorecard/maturity-bands',
    { ...needs('viewer'), schema: { tags, response: { 200: z.array(z.number()) } } },
    async () => [...store.maturityBands()],
  );
  api.put(
    '/api/scorecard/maturity-bands',
    {
      ...needs('admin', 'scorecard.bands'),
      ...refusedAs(parseMaturityBands),
      schema: {
        tags,
        description: 'four rising cut points between the five PAS 181 levels, e.g. [20, 40, 60, 80]',
        body: MaturityBandsSchema,
        response: { 200: z.array(z.number()), 400: ProblemsBody, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      recordChange(req, { target: null, before: [...store.maturityBands()] });
      const r = await stored(store.setMaturityBands(req.body));
      return r.ok ? [...r.value] : badRequest(reply, r.errors);
    },
  );

  const Assessment = z.object({
    component: z.string(),
    level: z.number(),
    by: z.string(),
    at: z.string(),
    evidence: z.array(z.string()),
    note: z.string().optional(),
  });
  api.get(
    '/api/scorecard/self-assessments',
    {
      ...needs('viewer'),
      schema: {
        tags,
        description: 'the latest self-assessment of each component',
        response: { 200: z.array(Assessment) },
      },
    },
    async () => store.selfAssessments(),
  );
  api.post(
    '/api/scorecard/self-assessments',
    {
      ...needs('admin', 'scorecard.self-assessment'),
      ...refusedAs((raw) => parseSelfAssessment(raw)),
      schema: {
        tags,
        description:
          'a PAS 181 component self-assessed at a level, by a person, citing indicators as evidence',
        body: SelfAssessmentSchema,
        response: { 201: Assessment, 400: ProblemsBody, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      const r = await stored(store.addSelfAssessment(req.body));
      return r.ok ? reply.code(201).send(r.value) : badRequest(reply, r.errors);
    },
  );

  const CompositeOut = CompositeIndexSchema;
  const IdParams = z.object({ id: z.string() });
  api.get(
    '/api/scorecard/composites',
    { ...needs('viewer'), schema: { tags, response: { 200: z.array(CompositeOut) } } },
    async () => store.composites(),
  );
  api.put(
    '/api/scorecard/composites/:id',
    {
      ...needs('admin', 'scorecard.composite'),
      // The problems parseCompositeIndex gives: its schema is this one with the path's id in it.
      ...refusedBody((_raw, error) => problems(zodProblems(error))),
      schema: {
        tags,
        description:
          'define a composite index: {name, parts: [{ref, weight}], target?: {above}|{atLeast}, period?}',
        params: IdParams,
        body: CompositeDefinitionSchema,
        response: { 200: CompositeOut, 400: ProblemsBody, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      const r = await stored(store.setComposite(req.params.id, req.body));
      return r.ok ? r.value : badRequest(reply, r.errors);
    },
  );
  api.post(
    '/api/scorecard/composites/:id/values',
    {
      ...needs('admin', 'scorecard.composite-values'),
      schema: {
        tags,
        description:
          "the values of a composite index's own parts for a period (parts that are indicators are read)",
        params: IdParams,
        body: CompositeValuesBody,
        response: {
          201: z.object({ entry: Entry, superseded: Entry.nullable() }),
          400: ProblemsBody,
          401: ErrorBody,
          404: ErrorBody,
          409: errorWith({ current: Entry.describe('the value already entered for the period') }),
        },
      },
    },
    async (req, reply) => {
      if (!store.composite(req.params.id))
        return sendError(
          reply,
          'not-found',
          `no composite index '${req.params.id}': define it with PUT first`,
        );
      const { values, ...rest } = req.body;
      return answerEntry(
        reply,
        await stored(store.enter({ ...rest, indicator: req.params.id, inputs: values })),
      );
    },
  );

  api.get(
    '/report',
    {
      ...needs('viewer'),
      schema: {
        tags,
        description: 'the scorecard as a self-contained HTML page (the current year unless ?period=)',
        querystring: PeriodQuery,
      },
    },
    async (req, reply) => {
      const period = periodOf(req.query.period);
      if (!isPeriod(period)) return badRequest(reply, [period]);
      const html = renderReportHtml(await card(period), {
        city: cityName(),
        generatedAt: Date.now(),
        timeZone: period.timeZone,
        period,
        budgets: await budgets?.(period),
      });
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );
};
