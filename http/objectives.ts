// Error-budget objectives through the API (issue 14 item 5): read them with their budget left, burn rates
// and alert state, replace them (admin, audited like thresholds). Declared in city.json `objectives` too.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Alert } from '../engine/alerts/alert-machine.js';
import { type BudgetState, budgetOf, budgetTime, type Objective } from '../indicators/error-budget.js';
import type { Registry } from '../registry/registry-service.js';
import { Objective as ObjectiveSchema } from '../registry/row-schemas.js';
import { needs } from './access.js';
import { recordChange } from './audit-hook.js';
import { codeOf, ErrorBody, sendError } from './errors.js';
import { type KnownReferences, refusedItems, unknownReferences } from './indicator-references.js';

const ObjectiveIn = z.object({
  indicator: z.string(),
  scope: z.string(),
  target: z.number(),
  window: z.string(),
});
const ObjectiveOut = ObjectiveIn.extend({
  /** 1 − target/100. */
  budget: z.number(),
  /** 1 untouched, 0 spent, negative overspent; null with no data in the window or no live engine here. */
  budgetLeft: z.number().nullable(),
  budgetMs: z.number(),
  budgetLeftMs: z.number().nullable(),
  /** "1 h 12 min of 3 h 36 min left". */
  budgetLeftText: z.string(),
  /** Share of the window with a known value. */
  coverage: z.number().nullable(),
  burnRates: z.record(z.string(), z.number().nullable()),
  /** `page`, `ticket`, or `ok`: the most severe burn-rate alert open. */
  alertState: z.enum(['page', 'ticket', 'ok']),
  openAlerts: z.array(z.string()),
  at: z.string().nullable(),
});

/** What the routes need of the live budgets: the alert service's tracker at the engine's clock. */
export interface ObjectiveDesk {
  states(): { objective: Objective; state: BudgetState; open: Alert[] }[];
}

export function objectiveOut(objective: Objective, state?: BudgetState, open: readonly Alert[] = []) {
  const time = budgetTime(objective, state?.budgetLeft ?? null);
  const rules = open.map((a) => a.detail?.rule);
  return {
    ...objective,
    budget: budgetOf(objective.target),
    budgetLeft: state?.budgetLeft ?? null,
    budgetMs: time.totalMs,
    budgetLeftMs: time.leftMs,
    budgetLeftText: state ? time.text : 'not computed here (no engine in this process)',
    coverage: state?.coverage ?? null,
    burnRates: state?.burnRates ?? {},
    alertState: rules.includes('page')
      ? ('page' as const)
      : rules.includes('ticket')
        ? ('ticket' as const)
        : ('ok' as const),
    openAlerts: open.map((a) => a.alertId),
    at: state ? new Date(state.at).toISOString() : null,
  };
}

export const objectivesPlugin: FastifyPluginAsync<
  { registry: Registry; desk?: ObjectiveDesk } & KnownReferences
> = async (app, { registry, desk, ...known }) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/objectives',
    { ...needs('viewer'), schema: { tags: ['alerts'], response: { 200: z.array(ObjectiveOut) } } },
    async () => {
      if (desk) return desk.states().map((s) => objectiveOut(s.objective, s.state, s.open));
      return (registry.inventory.city.objectives ?? []).map((o) => objectiveOut(o));
    },
  );
  api.put(
    '/api/objectives',
    {
      ...needs('admin', 'objective.set'),
      ...refusedItems(ObjectiveSchema, known),
      schema: {
        tags: ['alerts'],
        description: 'replace every objective: [{"indicator","scope","target","window"}]',
        body: z.array(ObjectiveSchema),
        response: { 200: z.array(ObjectiveIn), 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const unknown = unknownReferences(req.body, known);
      if (unknown) return sendError(reply, unknown.error, unknown.message);
      const before = registry.inventory.city.objectives ?? [];
      const r = registry.setObjectives(req.body);
      await registry.written();
      if (r.ok) recordChange(req, { target: null, before, after: r.value });
      return r.ok ? r.value : sendError(reply, codeOf(r.status), r.reasons.join('; '));
    },
  );
};
