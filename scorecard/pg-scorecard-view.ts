// The PostgreSQL scorecard as memory holds it (scorecard/pg-scorecard.ts): every entry, setting,
// self-assessment and composite, read whole in one consistent snapshot.
import type pg from 'pg';
import type { CompositeIndex, SelfAssessment } from '../indicators/iso/index.js';
import type { AdminEntry } from './entry-check.js';

export interface View {
  /** By id, ascending: the order history() gives. */
  entries: Map<number, AdminEntry>;
  /** `indicator\nperiod` → the id of the entry standing for it. */
  standing: Map<string, number>;
  settings: Map<string, unknown>;
  assessments: SelfAssessment[];
  composites: Map<string, CompositeIndex>;
  nextEntryId: number;
  nextAssessmentId: number;
}

export const key = (indicator: string, period: string) => `${indicator}\n${period}`;
/** BIGINT comes back from pg as a string (it may exceed 2^53); ids and milliseconds do not. */
const num = (v: unknown) => (v === null ? null : Number(v));
export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The whole scorecard in one consistent read. */
export async function readView(pool: pg.Pool): Promise<View> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const view = emptyView();
    for (const r of (await c.query('SELECT * FROM scorecard_entries ORDER BY entry_id')).rows) {
      const entry: AdminEntry = {
        entryId: Number(r.entry_id),
        indicator: r.indicator,
        period: r.period,
        inputs: JSON.parse(r.inputs),
        value: r.value,
        source: r.source,
        enteredBy: r.entered_by,
        enteredAt: iso(num(r.entered_at)) as string,
        supersededBy: num(r.superseded_by),
        supersededAt: iso(num(r.superseded_at)),
      };
      view.entries.set(entry.entryId, entry);
      if (entry.supersededBy === null) view.standing.set(key(entry.indicator, entry.period), entry.entryId);
      view.nextEntryId = entry.entryId + 1;
    }
    for (const r of (await c.query('SELECT key, value FROM scorecard_settings')).rows)
      view.settings.set(r.key, JSON.parse(r.value));
    for (const r of (
      await c.query('SELECT assessment_id, assessment FROM scorecard_self_assessments ORDER BY assessment_id')
    ).rows) {
      view.assessments.push(JSON.parse(r.assessment));
      view.nextAssessmentId = Number(r.assessment_id) + 1;
    }
    for (const r of (await c.query('SELECT id, definition FROM scorecard_composites')).rows)
      view.composites.set(r.id, JSON.parse(r.definition));
    await c.query('COMMIT');
    c.release();
    return view;
  } catch (err) {
    c.release(err as Error);
    throw err;
  }
}

export function emptyView(): View {
  return {
    entries: new Map(),
    standing: new Map(),
    settings: new Map(),
    assessments: [],
    composites: new Map(),
    nextEntryId: 1,
    nextAssessmentId: 1,
  };
}
