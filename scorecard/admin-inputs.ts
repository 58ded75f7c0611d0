// The scorecard's store: administrative inputs of ISO/IEC 30146 indicators and composite indices per
// period, with their history, plus roll-up weights, maturity bands, PAS 181 self-assessments and composite
// definitions. Every write is checked by pure functions (entry-check.ts, indicators/iso) before it reaches
// the database: `<data-dir>/scorecard.sqlite` by default, or the PostgreSQL of `--db` (pg-scorecard.ts).
import type { Logger } from 'pino';
import {
  buildRollUpTree,
  CITIZEN_EMPOWERMENT_INDEX,
  type CompositeIndex,
  DEFAULT_MATURITY_BANDS,
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
} from '../indicators/iso/index.js';
import type { Written } from '../registry/registry-backend.js';
import {
  type AdminEntry,
  type Checked,
  type CheckedEntry,
  checkEntry,
  conflictOf,
  type EntryOutcome,
  type EntryRequest,
  latestAssessments,
} from './entry-check.js';
import { isPeriod, parsePeriod, periodsStandingFor } from './period.js';
import { PgScorecard } from './pg-scorecard.js';
import type { ScorecardBackend } from './scorecard-backend.js';
import { SqliteScorecard } from './sqlite-scorecard.js';

export type { AdminEntry, CheckedEntry, EntryOutcome, EntryRequest } from './entry-check.js';
export { SCORECARD_FILE } from './sqlite-scorecard.js';

export interface ScorecardStoreOptions {
  /**
   * The indicators entries may be made for, before the city's own (setUserIndicators); the standard
   * catalogue by default.
   */
  readonly catalogue?: readonly IsoIndicator[];
  /** Wall clock for `enteredAt`; tests pass a fixed one. */
  readonly now?: () => number;
  /** Where a PostgreSQL store reports what another node changed that this one cannot use. */
  readonly log?: Logger;
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
    private readonly db: ScorecardBackend,
    options: ScorecardStoreOptions,
  ) {
    this.base = options.catalogue ?? ISO30146_CATALOGUE;
    this.now = options.now ?? Date.now;
    const checked = this.storedIndicators();
    // They were checked when stored; only a catalogue that has since taken their ids refuses them.
    if (!checked.ok)
      throw new Error(
        `${db.path}: the stored user-defined indicators no longer fit the catalogue: ` +
          `${checked.errors.map((e) => `${e.input}: ${e.message}`).join('; ')}; load a corrected file`,
      );
    this.useIndicators(checked.value);
    // Another node set the city's own indicators: use them here too.
    db.onExternalChange?.(() => {
      const again = this.storedIndicators();
      if (again.ok) this.useIndicators(again.value);
      else
        options.log?.warn(
          { db: db.path, errors: again.errors },
          "another node's user-defined scorecard indicators do not fit this catalogue: keeping the previous ones",
        );
    });
  }

  private storedIndicators() {
    return parseIsoIndicators(this.db.setting(USER_INDICATORS) ?? [], { existing: this.base });
  }

  private useIndicators(user: readonly IsoIndicator[]): void {
    this.user = user;
    this.all = [...this.base, ...user];
    this.byId = new Map(this.all.map((d) => [d.id, d]));
    this.rollUpTree = buildRollUpTree(this.all);
  }

  /** Where the scorecard lives: the database file, or the PostgreSQL URL without its password. */
  get path(): string {
    return this.db.path;
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
    if (options.remember !== false) this.db.putSetting(USER_INDICATORS, checked.value, this.now());
    this.useIndicators(checked.value);
    return { ok: true, value: checked.value };
  }

  /** `<dataDir>/scorecard.sqlite`, created or migrated as needed. */
  static open(dataDir: string, options: ScorecardStoreOptions = {}): ScorecardStore {
    const db = SqliteScorecard.open(dataDir);
    try {
      return new ScorecardStore(db, options);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** A store that leaves no file behind: dry runs against a data dir that has none yet. */
  static inMemory(options: ScorecardStoreOptions = {}): ScorecardStore {
    return new ScorecardStore(SqliteScorecard.inMemory(), options);
  }

  /**
   * The scorecard in a PostgreSQL shared by every node (`--db postgres://…`), migrated as needed; throws
   * ControlPlaneError, naming the fix, when the database cannot be used.
   */
  static async openPostgres(url: string, options: ScorecardStoreOptions = {}): Promise<ScorecardStore> {
    const db = await PgScorecard.open(url, options.log);
    try {
      return new ScorecardStore(db, options);
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  /** Run `fn` in one transaction: a throw rolls every write of it back (CSV --strict and --dry-run). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  /** No administrative entry yet: `citygauge start` and `report --inventory` seed it then. */
  isEmpty(): boolean {
    return this.db.isEmpty();
  }

  indicator(id: string): IsoIndicator | undefined {
    return this.byId.get(id);
  }

  /** Check a request without writing it (CSV dry runs use this too). */
  check(req: EntryRequest): Checked<CheckedEntry> {
    return checkEntry(req, { indicator: (id) => this.byId.get(id), composite: (id) => this.composite(id) });
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
      const current = this.db.standing(e.indicator, e.period);
      const conflict = conflictOf(e, current);
      if (conflict) return conflict;
      return { ok: true, ...this.db.insert(e, this.now(), current) };
    });
  }

  /** Every entry, superseded ones included, oldest first; filtered by indicator and period when given. */
  history(filter: { indicator?: string; period?: string } = {}): AdminEntry[] {
    return this.db.history(filter);
  }

  /**
   * The entry that stands for each indicator and composite in `period`: its own, or for a year the latest
   * quarter's (see periodsStandingFor). Undefined periods give an empty map.
   */
  current(periodId: string): Map<string, AdminEntry> {
    const period = parsePeriod(periodId);
    const out = new Map<string, AdminEntry>();
    if (!isPeriod(period)) return out;
    for (const p of periodsStandingFor(period))
      for (const entry of this.db.standingIn(p))
        if (!out.has(entry.indicator)) out.set(entry.indicator, entry);
    return out;
  }

  /** Roll-up weights by node id; every node weighs 1 when none are set. */
  weights(): RollUpWeights {
    return (this.db.setting('weights') as RollUpWeights | undefined) ?? {};
  }

  setWeights(raw: unknown): Checked<RollUpWeights> {
    const checked = parseRollUpWeights(raw, this.rollUpTree);
    if (!checked.ok) return { ok: false, errors: [...checked.errors] };
    this.db.putSetting('weights', checked.value, this.now());
    return { ok: true, value: checked.value };
  }

  /** The four cut points between the five PAS 181 levels; equal fifths by default. */
  maturityBands(): MaturityBands {
    return (this.db.setting('maturity-bands') as MaturityBands | undefined) ?? DEFAULT_MATURITY_BANDS;
  }

  setMaturityBands(raw: unknown): Checked<MaturityBands> {
    const checked = parseMaturityBands(raw);
    if (!checked.ok) return { ok: false, errors: [...checked.errors] };
    this.db.putSetting('maturity-bands', checked.value, this.now());
    return { ok: true, value: checked.value };
  }

  /** Record a self-assessment; earlier ones for the component stay in the table. */
  addSelfAssessment(raw: unknown): Checked<SelfAssessment> {
    const checked = parseSelfAssessment(raw, { catalogue: this.catalogue });
    if (!checked.ok) return { ok: false, errors: [...checked.errors] };
    this.db.addSelfAssessment(checked.value, this.now());
    return { ok: true, value: checked.value };
  }

  /** The latest self-assessment of each component, in the order components were first assessed. */
  selfAssessments(): SelfAssessment[] {
    return latestAssessments(this.db.selfAssessments());
  }

  /** Composite definitions: the Citizen Empowerment Index unless the city redefined it, then the city's own. */
  composites(): CompositeIndex[] {
    const stored = this.db.composites();
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
    this.db.putComposite(id, checked.value, this.now());
    return { ok: true, value: checked.value };
  }

  /**
   * Settles once the database has every write made so far (at once on SQLite); rejects with a status-coded
   * error when PostgreSQL refused one, e.g. another node entered a value for the same indicator meanwhile.
   */
  written(): Promise<void> {
    return this.db.written();
  }

  isOpen(): boolean {
    return this.db.isOpen();
  }

  /** Nothing to wait for on SQLite; on PostgreSQL, once the writes made so far are committed. */
  close(): Written {
    return this.db.close();
  }
}
