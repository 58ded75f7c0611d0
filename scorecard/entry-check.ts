// The checks of the scorecard's administrative entries, pure: what a request means and whether it may be
// written, with no database. The SQLite and the PostgreSQL stores both write only what these accept.
import {
  type CompositeIndex,
  computeComposite,
  computeScore,
  type InputProblem,
  type IsoIndicator,
  shown,
} from '../indicators/iso/index.js';
import { atMost, LIMITS } from '../registry/text-limits.js';
import { isPeriod, parsePeriod } from './period.js';

/** One administrative entry: the figures for an indicator (or a composite index's parts) in a period. */
export interface AdminEntry {
  readonly entryId: number;
  readonly indicator: string;
  readonly period: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly value: number | null;
  readonly source: string;
  readonly enteredBy: string;
  readonly enteredAt: string;
  /** Set once a newer entry for the same indicator and period replaced this one; the row stays. */
  readonly supersededBy: number | null;
  readonly supersededAt: string | null;
}

export interface EntryRequest {
  indicator?: unknown;
  period?: unknown;
  inputs?: unknown;
  source?: unknown;
  by?: unknown;
  replace?: unknown;
}

export type EntryOutcome =
  | { readonly ok: true; readonly entry: AdminEntry; readonly superseded: AdminEntry | null }
  | { readonly ok: false; readonly status: 400; readonly errors: readonly InputProblem[] }
  | { readonly ok: false; readonly status: 409; readonly message: string; readonly current: AdminEntry };

/** An entry that passed every check, ready to write. */
export interface CheckedEntry {
  readonly indicator: string;
  readonly period: string;
  readonly inputs: Record<string, unknown>;
  readonly value: number | null;
  readonly source: string;
  readonly by: string;
  readonly replace: boolean;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: InputProblem[] };

/** What a check needs to know of the store: its indicators and its composite indices. */
export interface EntryContext {
  indicator(id: string): IsoIndicator | undefined;
  composite(id: string): CompositeIndex | undefined;
}

const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** The 0..100 values entered for a composite index's own parts (those that are not indicators). */
function compositeInputs(
  index: CompositeIndex,
  inputs: Record<string, unknown>,
  isIndicator: (id: string) => boolean,
): Checked<Record<string, number>> {
  const own = index.parts.filter((p) => !isIndicator(p.ref));
  const problems: InputProblem[] = [];
  const values: Record<string, number> = {};
  for (const part of own) {
    const v = inputs[part.ref];
    if (v === undefined || v === null)
      problems.push({
        input: part.ref,
        message: `missing: enter the ${part.description ?? part.ref} score (0-100)`,
      });
    else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100)
      problems.push({ input: part.ref, message: `must be a score from 0 to 100, got ${shown(v)}` });
    else values[part.ref] = v;
  }
  for (const name of Object.keys(inputs))
    if (!own.some((p) => p.ref === name))
      problems.push({
        input: name,
        message: isIndicator(name)
          ? `is an indicator: ${index.name} reads its value from the scorecard, do not enter it here`
          : `unknown input: ${index.name} takes ${own.map((p) => p.ref).join(', ')}`,
      });
  return problems.length > 0 ? { ok: false, errors: problems } : { ok: true, value: values };
}

/** Check a request against the store's indicators and composites; its value computed when it passes. */
export function checkEntry(req: EntryRequest, ctx: EntryContext): Checked<CheckedEntry> {
  const problems: InputProblem[] = [];
  const id = typeof req.indicator === 'string' ? req.indicator.trim() : '';
  const indicator = ctx.indicator(id);
  const composite = indicator ? undefined : ctx.composite(id);
  if (id === '') problems.push({ input: 'indicator', message: 'name the indicator, e.g. "L1.1.1"' });
  else if (indicator?.source === 'live')
    problems.push({
      input: 'indicator',
      message: `${id} is a live indicator: its value comes from the engine (devices and inventory), not from administrative inputs`,
    });
  else if (!indicator && !composite)
    problems.push({
      input: 'indicator',
      message: `unknown indicator '${id}': not in the ISO/IEC 30146 catalogue nor a composite index (see GET /api/scorecard/indicators)`,
    });
  const period = parsePeriod(req.period);
  if (!isPeriod(period)) problems.push(period);
  if (!nonEmpty(req.source))
    problems.push({
      input: 'source',
      message: 'name where the figures come from, e.g. "City statistics office 2026 annual report"',
    });
  if (!nonEmpty(req.by)) problems.push({ input: 'by', message: 'name the person entering the figures' });
  // Bounded as every text a person sets is (registry/text-limits.ts).
  for (const input of ['source', 'by'] as const) {
    const text = req[input];
    if (typeof text === 'string' && text.length > LIMITS.name)
      problems.push({ input, message: atMost(LIMITS.name) });
  }
  if (req.replace !== undefined && typeof req.replace !== 'boolean')
    problems.push({ input: 'replace', message: `must be true or false, got ${shown(req.replace)}` });
  const inputs = req.inputs;
  let value: number | null = null;
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    problems.push({ input: 'inputs', message: `must be an object of named inputs, got ${shown(inputs)}` });
  } else if (indicator && indicator.source !== 'live') {
    const score = computeScore(indicator, inputs as Record<string, unknown>);
    if (score.ok) value = score.value;
    else problems.push(...score.errors.map((e) => ({ input: `inputs.${e.input}`, message: e.message })));
  } else if (composite) {
    const own = compositeInputs(
      composite,
      inputs as Record<string, unknown>,
      (ref) => ctx.indicator(ref) !== undefined,
    );
    if (!own.ok)
      problems.push(...own.errors.map((e) => ({ input: `inputs.${e.input}`, message: e.message })));
    else {
      const c = computeComposite(composite, own.value);
      value = c.ok ? c.value.value : null;
    }
  }
  if (problems.length > 0) return { ok: false, errors: problems };
  return {
    ok: true,
    value: {
      indicator: id,
      period: (period as { id: string }).id,
      inputs: inputs as Record<string, unknown>,
      value,
      source: (req.source as string).trim(),
      by: (req.by as string).trim(),
      replace: req.replace === true,
    },
  };
}

/** The 409 a checked entry meets when its indicator already has a standing value it does not replace. */
export function conflictOf(
  e: CheckedEntry,
  current: AdminEntry | undefined,
): Extract<EntryOutcome, { status: 409 }> | undefined {
  if (!current || e.replace) return undefined;
  return {
    ok: false,
    status: 409,
    current,
    message: `${e.indicator} already has a value for ${e.period} entered by ${current.enteredBy} at ${current.enteredAt}; send replace: true to supersede it`,
  };
}

/** An entry as written at `enteredAtMs` under `entryId`. */
export function newEntry(e: CheckedEntry, entryId: number, enteredAtMs: number): AdminEntry {
  return {
    entryId,
    indicator: e.indicator,
    period: e.period,
    inputs: e.inputs,
    value: e.value,
    source: e.source,
    enteredBy: e.by,
    enteredAt: new Date(enteredAtMs).toISOString(),
    supersededBy: null,
    supersededAt: null,
  };
}

/** The latest self-assessment of each component, in the order components were first assessed. */
export function latestAssessments<T extends { component: string }>(inOrder: Iterable<T>): T[] {
  const latest = new Map<string, T>();
  for (const a of inOrder) latest.set(a.component, a);
  return [...latest.values()];
}
