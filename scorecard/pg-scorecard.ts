// The scorecard in a PostgreSQL shared by every node (`--db postgres://…`). The store answers from a view in
// memory, as the registry's does (registry/pg-store.ts), so the HTTP routes, CSV imports and reports read
// it synchronously; each transaction's writes change the view at once and commit in order, one PostgreSQL
// transaction each, which notifies the other nodes: they re-read the scorecard within a second.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { CompositeIndex, SelfAssessment } from '../indicators/iso/index.js';
import { ChangeFeed } from '../registry/change-feed.js';
import { CoalescedReread } from '../registry/coalesced-reread.js';
import { migratePostgres } from '../registry/migrate.js';
import { POSTGRES_MIGRATIONS } from '../registry/migration.js';
import { ControlPlaneError, connectionProblem, connectPool, redactUrl } from '../registry/postgres.js';
import { PendingWrites } from '../registry/registry-backend.js';
import { type AdminEntry, type CheckedEntry, newEntry } from './entry-check.js';
import { emptyView, iso, key, readView, type View } from './pg-scorecard-view.js';
import type { ScorecardBackend } from './scorecard-backend.js';

/** The channel every scorecard write notifies, in the writing transaction. */
export const SCORECARD_CHANNEL = 'citygauge_scorecard';
/** Any constant: scorecard writes of all nodes commit one at a time, so a conflict is found, not raced. */
const WRITE_LOCK = 30_147;

type Op = (c: pg.PoolClient) => Promise<void>;

/** A write PostgreSQL refused; `statusCode` is what the HTTP API answers with. */
export class ScorecardWriteError extends Error {
  readonly code = 'ERR_SCORECARD_WRITE';
  constructor(
    message: string,
    readonly statusCode: 409 | 503,
  ) {
    super(message);
  }
}

/** Another node got there first: an entry this one supersedes was superseded there. */
class Stale extends Error {}

export class PgScorecard implements ScorecardBackend {
  /** This node, in its notices, so it does not re-read its own changes. */
  private readonly node = randomUUID();
  private view: View = emptyView();
  /** The writes of the transaction in progress, and how to take them back out of the view. */
  private ops: Op[] = [];
  private undo: (() => void)[] = [];
  private depth = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending = new PendingWrites();
  private writesMade = 0;
  private hooks: (() => void)[] = [];
  private feed: ChangeFeed | undefined;
  private readonly rereads = new CoalescedReread<View>({
    isOpen: () => this.open,
    writesDone: () => this.queue,
    writesMade: () => this.writesMade,
    read: () => readView(this.pool),
    apply: (view) => {
      this.view = view;
      for (const hook of this.hooks) hook();
    },
    onError: (err) => this.log?.warn({ db: this.path, err: err.message }, 'scorecard re-read failed'),
  });
  private open = true;

  private constructor(
    private readonly pool: pg.Pool,
    readonly path: string,
    private readonly log?: Logger,
  ) {}

  /** Connect, migrate, listen, then read the scorecard. */
  static async open(url: string, log?: Logger): Promise<PgScorecard> {
    const pool = await connectPool(url, 2);
    const store = new PgScorecard(pool, redactUrl(url), log);
    try {
      const applied = await migratePostgres(pool, POSTGRES_MIGRATIONS);
      if (applied.length) log?.info({ db: store.path, applied }, 'control plane migrated');
      // Listening before the first read: a change made between the two is heard, not lost.
      store.feed = new ChangeFeed({
        url,
        channel: SCORECARD_CHANNEL,
        log,
        onNotice: (payload) => store.heard(payload),
        onReconnect: () => store.reread(),
      });
      await store.feed.start();
      store.view = await readView(pool);
    } catch (err) {
      await store.close();
      throw err instanceof ControlPlaneError
        ? err
        : new ControlPlaneError(connectionProblem(url, err as Error));
    }
    return store;
  }

  transaction<T>(fn: () => T): T {
    const undoMark = this.undo.length;
    const opMark = this.ops.length;
    this.depth++;
    try {
      return fn();
    } catch (err) {
      for (const u of this.undo.splice(undoMark).reverse()) u();
      this.ops.length = opMark;
      throw err;
    } finally {
      this.depth--;
      if (this.depth === 0) this.commitLater();
    }
  }

  isEmpty(): boolean {
    return this.view.entries.size === 0;
  }

  standing(indicator: string, period: string): AdminEntry | undefined {
    const id = this.view.standing.get(key(indicator, period));
    return id === undefined ? undefined : this.view.entries.get(id);
  }

  standingIn(period: string): AdminEntry[] {
    return [...this.view.entries.values()].filter((e) => e.period === period && e.supersededBy === null);
  }

  insert(e: CheckedEntry, atMs: number, current: AdminEntry | undefined) {
    // Stored as SQLite stores it: the inputs as JSON, read back.
    const entry = newEntry(
      { ...e, inputs: JSON.parse(JSON.stringify(e.inputs)) },
      this.view.nextEntryId,
      atMs,
    );
    const superseded = current && { ...current, supersededBy: entry.entryId, supersededAt: iso(atMs) };
    const view = this.view;
    const k = key(e.indicator, e.period);
    this.change(
      () => {
        view.nextEntryId++;
        view.entries.set(entry.entryId, entry);
        if (superseded) view.entries.set(superseded.entryId, superseded);
        view.standing.set(k, entry.entryId);
      },
      () => {
        view.nextEntryId--;
        view.entries.delete(entry.entryId);
        if (current) {
          view.entries.set(current.entryId, current);
          view.standing.set(k, current.entryId);
        } else view.standing.delete(k);
      },
      async (c) => {
        if (current) {
          const r = await c.query(
            `UPDATE scorecard_entries SET superseded_by = $1, superseded_at = $2
             WHERE entry_id = $3 AND superseded_by IS NULL`,
            [entry.entryId, atMs, current.entryId],
          );
          if (r.rowCount !== 1)
            throw new Stale(
              `the value of ${e.indicator} for ${e.period} this entry replaces was replaced on another node meanwhile`,
            );
        }
        await c.query(
          `INSERT INTO scorecard_entries (entry_id, indicator, period, inputs, value, source, entered_by, entered_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [entry.entryId, e.indicator, e.period, JSON.stringify(e.inputs), e.value, e.source, e.by, atMs],
        );
      },
    );
    return { entry, superseded: superseded ?? null };
  }

  history(filter: { indicator?: string; period?: string }): AdminEntry[] {
    return [...this.view.entries.values()].filter(
      (e) =>
        (filter.indicator === undefined || e.indicator === filter.indicator) &&
        (filter.period === undefined || e.period === filter.period),
    );
  }

  setting(name: string): unknown {
    return this.view.settings.get(name);
  }

  putSetting(name: string, value: unknown, atMs: number): void {
    const settings = this.view.settings;
    const had = settings.has(name);
    const before = settings.get(name);
    const stored = JSON.parse(JSON.stringify(value));
    this.change(
      () => settings.set(name, stored),
      () => (had ? settings.set(name, before) : settings.delete(name)),
      async (c) => {
        await c.query(
          `INSERT INTO scorecard_settings (key, value, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
          [name, JSON.stringify(value), atMs],
        );
      },
    );
  }

  addSelfAssessment(a: SelfAssessment, atMs: number): void {
    const view = this.view;
    const id = view.nextAssessmentId;
    const stored = JSON.parse(JSON.stringify(a)) as SelfAssessment;
    this.change(
      () => {
        view.nextAssessmentId++;
        view.assessments.push(stored);
      },
      () => {
        view.nextAssessmentId--;
        view.assessments.pop();
      },
      async (c) => {
        await c.query(
          'INSERT INTO scorecard_self_assessments (assessment_id, component, assessment, recorded_at) VALUES ($1, $2, $3, $4)',
          [id, a.component, JSON.stringify(a), atMs],
        );
      },
    );
  }

  selfAssessments(): SelfAssessment[] {
    return [...this.view.assessments];
  }

  composites(): CompositeIndex[] {
    return [...this.view.composites.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  putComposite(id: string, definition: CompositeIndex, atMs: number): void {
    const composites = this.view.composites;
    const before = composites.get(id);
    const stored = JSON.parse(JSON.stringify(definition)) as CompositeIndex;
    this.change(
      () => composites.set(id, stored),
      () => (before ? composites.set(id, before) : composites.delete(id)),
      async (c) => {
        await c.query(
          `INSERT INTO scorecard_composites (id, definition, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at`,
          [id, JSON.stringify(definition), atMs],
        );
      },
    );
  }

  written(): Promise<void> {
    return this.pending.settled();
  }

  onExternalChange(hook: () => void): () => void {
    this.hooks.push(hook);
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hook);
    };
  }

  isOpen(): boolean {
    return this.open;
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.queue;
    await this.feed?.close();
    await this.pool.end().catch(() => {});
  }

  /** One write: into the view now, into PostgreSQL with the rest of its transaction. */
  private change(apply: () => void, revert: () => void, op: Op): void {
    if (!this.open) throw new Error(`the scorecard store on ${this.path} is closed`);
    this.transaction(() => {
      apply();
      this.undo.push(revert);
      this.ops.push(op);
    });
  }

  /** The outermost transaction ended: its writes commit after every earlier one, as one. */
  private commitLater(): void {
    this.undo = [];
    if (this.ops.length === 0) return;
    const batch = this.ops;
    this.ops = [];
    this.writesMade++;
    const p = this.queue.then(() => this.commit(batch));
    this.queue = p.catch(() => {});
    this.pending.add(p);
  }

  /** A failed batch is logged and the view re-read, so memory does not keep what the database refused. */
  private async commit(batch: Op[]): Promise<void> {
    let c: pg.PoolClient | undefined;
    try {
      c = await this.pool.connect();
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      for (const op of batch) await op(c);
      await c.query('SELECT pg_notify($1, $2)', [SCORECARD_CHANNEL, JSON.stringify({ node: this.node })]);
      await c.query('COMMIT');
      c.release();
    } catch (err) {
      await c?.query('ROLLBACK').catch(() => {});
      c?.release(err as Error);
      const refused = this.refusal(err as Error & { code?: string });
      this.log?.error(
        { db: this.path, err: refused.message },
        'scorecard write failed: re-reading the scorecard',
      );
      this.reread();
      throw refused;
    }
  }

  private refusal(err: Error & { code?: string }): ScorecardWriteError {
    // 23505: a unique key, i.e. an entry id or a standing value another node wrote first.
    if (err instanceof Stale || err.code === '23505')
      return new ScorecardWriteError(
        `the scorecard changed on another node meanwhile (${err.message}): nothing of this change was stored; read it again and retry`,
        409,
      );
    return new ScorecardWriteError(
      `the scorecard could not be stored in PostgreSQL at ${this.path} (${err.message}): nothing of this change was stored; check --db and that the server runs`,
      503,
    );
  }

  /** A notice: another node's change (this node's own are in the view already). */
  private heard(payload: string): void {
    try {
      if ((JSON.parse(payload) as { node?: string }).node === this.node) return;
    } catch {
      return;
    }
    this.reread();
  }

  /** Re-read the scorecard and tell the hooks; coalesced. */
  private reread(): void {
    this.rereads.request();
  }
}
