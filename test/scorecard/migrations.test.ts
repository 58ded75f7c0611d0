// scorecard.sqlite under the control plane's versioned migrations: a new data dir records 0004-scorecard, and
// a file made by the code before migrations (its SCHEMA run with db.exec) opens unchanged, every row kept.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCORECARD_MIGRATIONS } from '../../registry/migration.js';
import { SCORECARD_FILE, ScorecardStore } from '../../scorecard/admin-inputs.js';
import { tempDir } from '../support/tmp.js';

/** scorecard.sqlite exactly as citygauge created it before migrations: db.exec(SCHEMA) at every open. */
const BEFORE_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS entries (entry_id INTEGER PRIMARY KEY AUTOINCREMENT, indicator TEXT NOT NULL,
  period TEXT NOT NULL, inputs TEXT NOT NULL, value REAL, source TEXT NOT NULL, entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL, superseded_by INTEGER, superseded_at INTEGER);
CREATE INDEX IF NOT EXISTS entries_current ON entries (indicator, period, superseded_by);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS self_assessments (assessment_id INTEGER PRIMARY KEY AUTOINCREMENT,
  component TEXT NOT NULL, assessment TEXT NOT NULL, recorded_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS composites (id TEXT PRIMARY KEY, definition TEXT NOT NULL, updated_at INTEGER NOT NULL);
`;

const DRILLS = {
  id: 'L6.2.9',
  name: 'Security incident response drills per year',
  description: '25 points per drill, at most 100',
  section: '7.6.2',
  secondLevel: 'L6.2',
  source: 'administrative',
  method: {
    method: 'capped-count',
    count: { name: 'drills', description: 'drills held in the year' },
    pointsEach: 25,
    cap: 100,
  },
};
const ASSESSMENT = {
  component: 'physical-asset-management',
  level: 4,
  by: 'P. Haddad',
  at: '2026-11-20T10:00:00Z',
  evidence: ['L2.1.1'],
};
const COMPOSITE = {
  id: 'resilience',
  name: 'Resilience index',
  parts: [
    { ref: 'L1.1.1', weight: 1 },
    { ref: 'preparedness', weight: 1, description: 'preparedness survey' },
  ],
};
const t = (iso: string) => Date.parse(iso);

/** A data dir filled by the statements the code before migrations ran, rows as it wrote them. */
function oldDataDir(): string {
  const dir = tempDir();
  const db = new Database(join(dir, SCORECARD_FILE));
  db.exec(BEFORE_MIGRATIONS);
  const insert = db.prepare(
    `INSERT INTO entries (indicator, period, inputs, value, source, entered_by, entered_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  insert.run(
    'L1.1.1',
    '2026',
    JSON.stringify({ oneStopServices: 390, governmentServices: 520 }),
    75,
    'Statistics office',
    'M. Jansen',
    t('2026-03-01T09:00:00Z'),
  );
  insert.run(
    'L1.1.1',
    '2026',
    JSON.stringify({ oneStopServices: 416, governmentServices: 520 }),
    80,
    'Statistics office',
    'A. Okafor',
    t('2026-03-02T09:00:00Z'),
  );
  db.prepare('UPDATE entries SET superseded_by = ?, superseded_at = ? WHERE entry_id = ?').run(
    2,
    t('2026-03-02T09:00:00Z'),
    1,
  );
  const setting = db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
  setting.run('weights', JSON.stringify({ 'L1.1.1': 2 }), t('2026-03-03T09:00:00Z'));
  setting.run('user-indicators', JSON.stringify([DRILLS]), t('2026-03-03T09:00:00Z'));
  db.prepare('INSERT INTO self_assessments (component, assessment, recorded_at) VALUES (?, ?, ?)').run(
    ASSESSMENT.component,
    JSON.stringify(ASSESSMENT),
    t('2026-03-04T09:00:00Z'),
  );
  db.prepare('INSERT INTO composites (id, definition, updated_at) VALUES (?, ?, ?)').run(
    COMPOSITE.id,
    JSON.stringify(COMPOSITE),
    t('2026-03-04T09:00:00Z'),
  );
  db.close();
  return dir;
}

const dump = (dir: string) => {
  const db = new Database(join(dir, SCORECARD_FILE), { readonly: true });
  const rows = Object.fromEntries(
    ['entries', 'settings', 'self_assessments', 'composites'].map((table) => [
      table,
      db.prepare(`SELECT * FROM ${table}`).all(),
    ]),
  );
  const recorded = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").get();
  const migrations = recorded
    ? db.prepare('SELECT name FROM schema_migrations ORDER BY name').pluck().all()
    : [];
  db.close();
  return { rows, migrations };
};

describe('scorecard.sqlite migrations', () => {
  it('create the scorecard tables in a new data dir and record 0004-scorecard', () => {
    const dir = tempDir();
    ScorecardStore.open(dir).close();
    const db = new Database(join(dir, SCORECARD_FILE), { readonly: true });
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all(),
    ).toEqual([
      'composites',
      'entries',
      'schema_migrations',
      'self_assessments',
      'settings',
      'sqlite_sequence',
    ]);
    expect(db.prepare('SELECT name FROM schema_migrations').pluck().all()).toEqual(
      SCORECARD_MIGRATIONS.map((m) => m.name),
    );
    expect(SCORECARD_MIGRATIONS.map((m) => m.name)).toEqual(['0004-scorecard']);
    db.close();
  });

  it('open a scorecard.sqlite made before migrations unchanged, with its entries, settings and assessments', () => {
    const dir = oldDataDir();
    const before = dump(dir).rows;

    const store = ScorecardStore.open(dir, { now: () => t('2026-03-05T09:00:00Z') });
    expect(store.history().map((e) => [e.entryId, e.value, e.enteredBy, e.supersededBy])).toEqual([
      [1, 75, 'M. Jansen', 2],
      [2, 80, 'A. Okafor', null],
    ]);
    expect(store.history()[0].supersededAt).toBe('2026-03-02T09:00:00.000Z');
    expect(store.current('2026').get('L1.1.1')?.value).toBe(80);
    expect(store.weights()).toEqual({ 'L1.1.1': 2 });
    expect(store.isUserDefined('L6.2.9')).toBe(true);
    expect(store.selfAssessments()).toEqual([ASSESSMENT]);
    expect(store.composite('resilience')).toEqual(COMPOSITE);
    store.close();

    // Adopted, not rewritten: every row as the old code left it, and the baseline recorded once.
    expect(dump(dir)).toEqual({ rows: before, migrations: ['0004-scorecard'] });

    // And it goes on: the next entry follows the old ones and supersedes the standing one.
    const again = ScorecardStore.open(dir, { now: () => t('2026-03-05T09:00:00Z') });
    const r = again.enter({
      indicator: 'L1.1.1',
      period: '2026',
      inputs: { oneStopServices: 468, governmentServices: 520 },
      source: 'Statistics office',
      by: 'R. Tanaka',
      replace: true,
    });
    expect(r).toMatchObject({ ok: true, entry: { entryId: 3, value: 90 }, superseded: { entryId: 2 } });
    again.close();
    expect(dump(dir).migrations).toEqual(['0004-scorecard']);
  });
});
