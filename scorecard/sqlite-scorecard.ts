// The embedded scorecard store, `<data-dir>/scorecard.sqlite`, migrated by the control plane's migrations
// (registry/migrations/0004-scorecard.ts), so a file made before they were recorded opens as it is.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CompositeIndex, SelfAssessment } from '../indicators/iso/index.js';
import { migrateSqliteSync } from '../registry/migrate.js';
import { SCORECARD_MIGRATIONS } from '../registry/migration.js';
import type { AdminEntry, CheckedEntry } from './entry-check.js';
import type { ScorecardBackend } from './scorecard-backend.js';

export const SCORECARD_FILE = 'scorecard.sqlite';

interface EntryRow {
  entry_id: number;
  indicator: string;
  period: string;
  inputs: string;
  value: number | null;
  source: string;
  entered_by: string;
  entered_at: number;
  superseded_by: number | null;
  superseded_at: number | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const toEntry = (r: EntryRow): AdminEntry => ({
  entryId: r.entry_id,
  indicator: r.indicator,
  period: r.period,
  inputs: JSON.parse(r.inputs),
  value: r.value,
  source: r.source,
  enteredBy: r.entered_by,
  enteredAt: iso(r.entered_at) as string,
  supersededBy: r.superseded_by,
  supersededAt: iso(r.superseded_at),
});

export class SqliteScorecard implements ScorecardBackend {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(dataDir: string): SqliteScorecard {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, SCORECARD_FILE);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // FULL: an entry a person typed is on disk when the API answers.
    db.pragma('synchronous = FULL');
    migrateSqliteSync(db, SCORECARD_MIGRATIONS);
    return new SqliteScorecard(db, path);
  }

  /** A store that leaves no file behind: dry runs against a data dir that has none yet. */
  static inMemory(): SqliteScorecard {
    const db = new Database(':memory:');
    migrateSqliteSync(db, SCORECARD_MIGRATIONS);
    return new SqliteScorecard(db, ':memory:');
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM entries LIMIT 1').get() === undefined;
  }

  private entry(id: number): AdminEntry {
    return toEntry(this.db.prepare('SELECT * FROM entries WHERE entry_id = ?').get(id) as EntryRow);
  }

  standing(indicator: string, period: string): AdminEntry | undefined {
    const row = this.db
      .prepare('SELECT * FROM entries WHERE indicator = ? AND period = ? AND superseded_by IS NULL')
      .get(indicator, period) as EntryRow | undefined;
    return row && toEntry(row);
  }

  standingIn(period: string): AdminEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM entries WHERE period = ? AND superseded_by IS NULL')
      .all(period) as EntryRow[];
    return rows.map(toEntry);
  }

  insert(e: CheckedEntry, atMs: number, current: AdminEntry | undefined) {
    return this.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO entries (indicator, period, inputs, value, source, entered_by, entered_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(e.indicator, e.period, JSON.stringify(e.inputs), e.value, e.source, e.by, atMs);
      const entryId = Number(info.lastInsertRowid);
      if (current)
        this.db
          .prepare('UPDATE entries SET superseded_by = ?, superseded_at = ? WHERE entry_id = ?')
          .run(entryId, atMs, current.entryId);
      return { entry: this.entry(entryId), superseded: current ? this.entry(current.entryId) : null };
    });
  }

  history(filter: { indicator?: string; period?: string }): AdminEntry[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM entries WHERE (@indicator IS NULL OR indicator = @indicator)
         AND (@period IS NULL OR period = @period) ORDER BY entry_id`,
      )
      .all({ indicator: filter.indicator ?? null, period: filter.period ?? null }) as EntryRow[];
    return rows.map(toEntry);
  }

  setting(key: string): unknown {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row ? JSON.parse(row.value) : undefined;
  }

  putSetting(key: string, value: unknown, atMs: number): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, JSON.stringify(value), atMs);
  }

  addSelfAssessment(a: SelfAssessment, atMs: number): void {
    this.db
      .prepare('INSERT INTO self_assessments (component, assessment, recorded_at) VALUES (?, ?, ?)')
      .run(a.component, JSON.stringify(a), atMs);
  }

  selfAssessments(): SelfAssessment[] {
    return (
      this.db
        .prepare('SELECT assessment FROM self_assessments ORDER BY assessment_id')
        .pluck()
        .all() as string[]
    ).map((text) => JSON.parse(text));
  }

  composites(): CompositeIndex[] {
    return (this.db.prepare('SELECT definition FROM composites ORDER BY id').pluck().all() as string[]).map(
      (text) => JSON.parse(text),
    );
  }

  putComposite(id: string, definition: CompositeIndex, atMs: number): void {
    this.db
      .prepare(
        `INSERT INTO composites (id, definition, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
      )
      .run(id, JSON.stringify(definition), atMs);
  }

  /** Committed already: SQLite writes before it answers. */
  written(): Promise<void> {
    return Promise.resolve();
  }

  isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
