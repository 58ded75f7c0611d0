// The entry checks on their own, without a database: what both the SQLite and the PostgreSQL store accept.
import { describe, expect, it } from 'vitest';
import { CITIZEN_EMPOWERMENT_INDEX, ISO30146_CATALOGUE } from '../../indicators/iso/index.js';
import {
  type AdminEntry,
  checkEntry,
  conflictOf,
  type EntryContext,
  latestAssessments,
  newEntry,
} from '../../scorecard/entry-check.js';

const byId = new Map(ISO30146_CATALOGUE.map((d) => [d.id, d]));
const city: EntryContext = {
  indicator: (id) => byId.get(id),
  composite: (id) => (id === CITIZEN_EMPOWERMENT_INDEX.id ? CITIZEN_EMPOWERMENT_INDEX : undefined),
};
const entry = {
  indicator: ' L1.1.1 ',
  period: '2026-Q2',
  inputs: { oneStopServices: 390, governmentServices: 520 },
  source: ' Statistics office ',
  by: 'M. Jansen',
};

describe('checkEntry', () => {
  it('computes the value by the method and trims the names', () => {
    expect(checkEntry(entry, city)).toEqual({
      ok: true,
      value: {
        indicator: 'L1.1.1',
        period: '2026-Q2',
        inputs: { oneStopServices: 390, governmentServices: 520 },
        value: 75,
        source: 'Statistics office',
        by: 'M. Jansen',
        replace: false,
      },
    });
  });

  it('scores a composite index from its own parts', () => {
    const r = checkEntry(
      {
        ...entry,
        indicator: 'citizen-empowerment',
        inputs: { participation: 70, feedback: 80, access: 90 },
      },
      city,
    );
    expect(r).toMatchObject({ ok: true, value: { indicator: 'citizen-empowerment', value: 80 } });
  });

  it('names every problem of a request at once', () => {
    const r = checkEntry({ indicator: 'L2.1.1', period: '26', inputs: [], by: ' ', replace: 'yes' }, city);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.input)).toEqual([
      'indicator',
      'period',
      'source',
      'by',
      'replace',
      'inputs',
    ]);
  });
});

describe('conflictOf', () => {
  const checked = checkEntry(entry, city);
  if (!checked.ok) throw new Error('the example entry is refused');
  const current: AdminEntry = newEntry(checked.value, 7, Date.parse('2026-04-01T08:00:00Z'));

  it('refuses a second value for the period without replace, naming who entered the first', () => {
    expect(conflictOf(checked.value, current)).toEqual({
      ok: false,
      status: 409,
      current,
      message:
        'L1.1.1 already has a value for 2026-Q2 entered by M. Jansen at 2026-04-01T08:00:00.000Z; send replace: true to supersede it',
    });
  });

  it('lets it through with replace, or when nothing stands yet', () => {
    expect(conflictOf({ ...checked.value, replace: true }, current)).toBeUndefined();
    expect(conflictOf(checked.value, undefined)).toBeUndefined();
  });
});

describe('latestAssessments', () => {
  it('keeps the latest of each component, in the order components were first assessed', () => {
    expect(
      latestAssessments([
        { component: 'service-delivery', level: 2 },
        { component: 'leadership-environment', level: 3 },
        { component: 'service-delivery', level: 4 },
      ]),
    ).toEqual([
      { component: 'service-delivery', level: 4 },
      { component: 'leadership-environment', level: 3 },
    ]);
  });
});
