// The scorecard's own store (`<data-dir>/scorecard.sqlite`): administrative inputs of ISO/IEC 30146 indicators
// and composite indices per period, with their history, plus roll-up weights, maturity bands, PAS 181
// self-assessments and composite definitions. Every write is checked by the pure indicators/iso functions.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  buildRollUpTree,
  CITIZEN_EMPOWERMENT_INDEX,
  type CompositeIndex,
  computeComposite,
  computeScore,
  DEFAULT_MATURITY_BANDS,
  type InputProblem,
  ISO30146_CATALOGUE,
  type IsoIndicator,
  type MaturityBands,
  parseCompositeIndex,
  parseIsoIndicators,
  parseMaturityBands,
  parseRollUpWeights,
  parseSelfAssessment,
  type RollUpTree,
  type RollUpWeights,
  type SelfAssessment,
  shown,
} from '../indicators/iso/index.js';
import { atMost, LIMITS } from '../registry/text-limits.js';
import { isPeriod, parsePeriod, periodsStandingFor } from './period.js';

export const SCORECARD_FILE = 'scorecard.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (entry_id INTEGER PRIMARY KEY AUTOINCREMENT, indicator TEXT NOT NULL,
  period TEXT NOT NULL, inputs TEXT NOT NULL, value REAL, source TEXT NOT NULL, entered_by TEXT NOT NULL,
  entered_at INTEGER NOT NULL, superseded_by INTEGER, superseded_at INTEGER);
CREATE INDEX IF NOT EXISTS entries_current ON entries (indicator, period, superseded_by);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS self_assessments (assessment_id INTEGER PRIMARY KEY AUTOINCREMENT,
  component TEXT NOT NULL, assessment TEXT NOT NULL, recorded_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS composites (id TEXT PRIMARY KEY, definition TEXT NOT NULL, updated_at INTEGER NOT NULL);
`;

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

type Checked<T> = { ok: true; value: T } | { ok: false; errors: InputProblem[] };

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

const nonEmpty = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** The 0..100 values entered for a composite index's own parts (those that are not indicators). */
function compositeInputs(
  index: CompositeIndex,
  inputs: Record<string, unknown>,
  indicatorIds: { has(id: string): boolean },
): Checked<Record<string, number>> {
  const own = index.parts.filter((p) => !indicatorIds.has(p.ref));
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
        message: indicatorIds.has(name)
          ? `is an indicator: ${index.name} reads its value from the scorecard, do not enter it here`
          : `unknown input: ${index.name} takes ${own.map((p) => p.ref).join(', ')}`,
      });
  return problems.length > 0 ? { ok: false, errors: problems } : { ok: true, value: values };
}

export interface ScorecardStoreOptions {
  /**
   * The indicators entries may be made for, before the city's own (setUserIndicators); the standard
   * catalogue by default.
   */
  readonly catalogue?: readonly IsoIndicator[];
  /** Wall clock for `enteredAt`; tests pass a fixed one. */
  readonly now?: () => number;
}

const USER_INDICATORS = 'user-indicators';

export class ScorecardStore {
  /** The standard's indicators (or those given in the options), which the city's own may not reuse. */
  private readonly base: readonly IsoIndicator[];
  private user: readonly IsoIndicator[] = [];
  private all: readonly IsoIndicator[] = [];
  private byId: ReadonlyMap<string, IsoIndicator> = new Map();
  private rollUpTree: RollUpTree = new Map();
  private readonly now: () => number;

  private constructor(
    private readonly db: Database.Database,
    /** The database file. */
    readonly path: string,
    options: ScorecardStoreOptions,
  ) {
    this.base = options.catalogue ?? ISO30146_CATALOGUE;
    this.now = options.now ?? Date.now;
    const stored = this.setting<unknown>(USER_INDICATORS) ?? [];
    const checked = parseIsoIndicators(stored, { existing: this.base });
    // They were checked when stored; only a catalogue that has since taken their ids refuses them.
    if (!checked.ok)
      throw new Error(
        `${path}: the stored user-defined indicators no longer fit the catalogue: ` +
          `${checked.errors.map((e) => `${e.input}: ${e.message}`).join('; ')}; load a corrected file`,
      );
    this.useIndicators(checked.value);
  }

  private useIndicators(user: readonly IsoIndicator[]): void {
    this.user = user;
    this.all = [...this.base, ...user];
    this.byId = new Map(this.all.map((d) => [d.id, d]));
    this.rollUpTree = buildRollUpTree(this.all);
  }

  /** The indicators of this store: the standard's, then the city's own (user-defined) ones. */
  get catalogue(): readonly IsoIndicator[] {
    return this.all;
  }

  /** The roll-up tree of the catalogue: user-defined indicators sit in their second-level group. */
  get tree(): RollUpTree {
    return this.rollUpTree;
  }

  /** The city's own indicators, as last set. */
  userIndicators(): readonly IsoIndicator[] {
    return this.user;
  }

  isUserDefined(id: string): boolean {
    return this.user.some((d) => d.id === id);
  }

  /**
   * Replace the city's own indicators (a list, or `{ "indicators": [...] }`, checked by parseIsoIndicators:
   * ids the standard uses are refused). The store remembers them unless `remember` is false (dry runs), so
   * the API, CSV imports and reports on this data dir see them until the next set.
   */
  setUserIndicators(raw: unknown, options: { remember?: boolean } = {}): Checked<IsoIndicator[]> {
    const checked = parseIsoIndicators(raw, { existing: this.base });
    if (!checked.ok) return { ok: false, errors: [...checked.errors] };
    if (options.remember !== false) this.putSetting(USER_INDICATORS, checked.value);
    this.useIndicators(checked.value);
    return { ok: true, value: checked.value };
  }

  static open(dataDir: string, options: ScorecardStoreOptions = {}): ScorecardStore {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, SCORECARD_FILE);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // FULL: an entry a person typed is on disk when the API answers.
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    return new ScorecardStore(db, path, options);
  }

  /** A store that leaves no file behind: dry runs against a data dir that has none yet. */
  static inMemory(options: ScorecardStoreOptions = {}): ScorecardStore {
    const db = new Database(':memory:');
    db.exec(SCHEMA);
    return new ScorecardStore(db, ':memory:', options);
  }

  /** Run `fn` in one transaction: a throw rolls every write of it back (CSV --strict and --dry-run). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** No administrative entry yet: `citygauge start` and `report --inventory` seed it then. */
  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM entries LIMIT 1').get() === undefined;
  }

  indicator(id: string): IsoIndicator | undefined {
    return this.byId.get(id);
  }

  /** Check a request without writing it (CSV dry runs use this too). */
  check(req: EntryRequest): Checked<CheckedEntry> {
    const problems: InputProblem[] = [];
    const id = typeof req.indicator === 'string' ? req.indicator.trim() : '';
    const indicator = this.byId.get(id);
    const composite = indicator ? undefined : this.composite(id);
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
      const own = compositeInputs(composite, inputs as Record<string, unknown>, this.byId);
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

  /** Check and write one entry. A value already there for the indicator and period needs `replace: true`. */
  enter(req: EntryRequest): EntryOutcome {
    const checked = this.check(req);
    if (!checked.ok) return { ok: false, status: 400, errors: checked.errors };
    return this.write(checked.value);
  }

  /** Write a checked entry; the superseded row keeps its figures and says what replaced it. */
  write(e: CheckedEntry): EntryOutcome {
    return this.db.transaction((): EntryOutcome => {
      const row = this.db
        .prepare('SELECT * FROM entries WHERE indicator = ? AND period = ? AND superseded_by IS NULL')
        .get(e.indicator, e.period) as EntryRow | undefined;
      const current = row && toEntry(row);
      if (current && !e.replace)
        return {
          ok: false,
          status: 409,
          current,
          message: `${e.indicator} already has a value for ${e.period} entered by ${current.enteredBy} at ${current.enteredAt}; send replace: true to supersede it`,
        };
      const at = this.now();
      const info = this.db
        .prepare(
          `INSERT INTO entries (indicator, period, inputs, value, source, entered_by, entered_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(e.indicator, e.period, JSON.stringify(e.inputs), e.value, e.source, e.by, at);
      const entryId = Number(info.lastInsertRowid);
      if (current)
        this.db
          .prepare('UPDATE entries SET superseded_by = ?, superseded_at = ? WHERE entry_id = ?')
          .run(entryId, at, current.entryId);
      const entry = toEntry(
        this.db.prepare('SELECT * FROM entries WHERE entry_id = ?').get(entryId) as EntryRow,
      );
      const superseded = current
        ? toEntry(
            this.db.prepare('SELECT * FROM entries WHERE entry_id = ?').get(current.entryId) as EntryRow,
          )
        : null;
      return { ok: true, entry, superseded };
    })();
  }

  /** Every entry, superseded ones included, oldest first; filtered by indicator and period when given. */
  history(filter: { indicator?: string; period?: string } = {}): AdminEntry[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM entries WHERE (@indicator IS NULL OR indicator = @indicator)
         AND (@period IS NULL OR period = @period) ORDER BY entry_id`,
      )
      .all({ indicator: filter.indicator ?? null, period: filter.period ?? null }) as EntryRow[];
    return rows.map(toEntry);
  }

  /**
   * The entry that stands for each indicator and composite in `period`: its own, or for a year the latest
   * quarter's (see periodsStandingFor). Undefined periods give an empty map.
   */
  current(periodId: string): Map<string, AdminEntry> {
    const period = parsePeriod(periodId);
    const out = new Map<string, AdminEntry>();
    if (!isPeriod(period)) return out;
    const stmt = this.db.prepare('SELECT * FROM entries WHERE period = ? AND superseded_by IS NULL');
    for (const p of periodsStandingFor(period))
      for (const row of stmt.all(p) as EntryRow[])
        if (!out.has(row.indicator)) out.set(row.indicator, toEntry(row));
    return out;
  }

  private setting<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  private putSetting(key: string, value: unknown): void {
    this.db
      .prepare(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, JSON.stringify(value), this.now());
  }

  /** Roll-up weights by node id; every node weighs 1 when none are set. */
  weights(): RollUpWeights {
    return this.setting<RollUpWeights>('weights') ?? {};
  }

  setWeights(raw: unknown): Checked<RollUpWeights> {
    const checked = parseRollUpWeights(raw, this.rollUpTree);
    if (!checked.ok) return { ok: false, errors: [...checked.errors] };
    this.putSetting('weights', checked.value);
    return { ok: true, value: checked.value };
  }

  /** The four cut points between the five PAS 181 levels; equal fifths by default. */
  maturityBands(): MaturityBands {
    return this.setting<MaturityBands>('maturity-bands') ?? DEFAULT_MATURITY_BANDS;
  }

  setMaturityBands(raw: unknown): Checked<MaturityBands> {
    const checked = parseMaturityBands(raw);
    if (!checked.ok) return { ok: false, errors: [...checked.errors] };
    this.putSetting('maturity-bands', checked.value);
    return { ok: true, value: checked.value };
  }

  /** Record a self-assessment; earlier ones for the component stay in the table. */
  addSelfAssessment(raw: unknown): Checked<SelfAssessment> {
    const checked = parseSelfAssessment(raw, { catalogue: this.catalogue });
    if (!checked.ok) return { ok: false, errors: [...checked.errors] };
    this.db
      .prepare('INSERT INTO self_assessments (component, assessment, recorded_at) VALUES (?, ?, ?)')
      .run(checked.value.component, JSON.stringify(checked.value), this.now());
    return { ok: true, value: checked.value };
  }

  /** The latest self-assessment of each component, in the order components were first assessed. */
  selfAssessments(): SelfAssessment[] {
    const rows = this.db
      .prepare('SELECT component, assessment FROM self_assessments ORDER BY assessment_id')
      .all() as { component: string; assessment: string }[];
    const latest = new Map<string, SelfAssessment>();
    for (const r of rows) latest.set(r.component, JSON.parse(r.assessment));
    return [...latest.values()];
  }

  /** Composite definitions: the Citizen Empowerment Index unless the city redefined it, then the city's own. */
  composites(): CompositeIndex[] {
    const rows = this.db.prepare('SELECT definition FROM composites ORDER BY id').all() as {
      definition: string;
    }[];
    const stored = rows.map((r) => JSON.parse(r.definition) as CompositeIndex);
    return stored.some((c) => c.id === CITIZEN_EMPOWERMENT_INDEX.id)
      ? stored
      : [CITIZEN_EMPOWERMENT_INDEX, ...stored];
  }

  composite(id: string): CompositeIndex | undefined {
    return this.composites().find((c) => c.id === id);
  }

  /** Define or redefine a composite index; the id in the path wins over one in the body. */
  setComposite(id: string, raw: unknown): Checked<CompositeIndex> {
    const body = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...raw, id } : raw;
    const checked = parseCompositeIndex(body);
    if (!checked.ok) return { ok: false, errors: [...checked.errors] };
    if (this.byId.has(id))
      return {
        ok: false,
        errors: [{ input: 'id', message: `'${id}' is an indicator id: name the index otherwise` }],
      };
    this.db
      .prepare(
        `INSERT INTO composites (id, definition, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
      )
      .run(id, JSON.stringify(checked.value), this.now());
    return { ok: true, value: checked.value };
  }

  isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
