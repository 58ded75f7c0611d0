// The registry in a PostgreSQL shared by every node (`--db postgres://…`). Reads come from a snapshot in
// memory, so the registry service, the broker's policy and the engine stay synchronous as on SQLite; writes
// change the snapshot at once and commit in order, one transaction each, which also notifies the other
// nodes. A notice from another node re-reads the registry and hands it to the same hooks a local change uses.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ChangeFeed, REGISTRY_CHANNEL } from './change-feed.js';
import { CoalescedReread } from './coalesced-reread.js';
import type { Inventory } from './inventory.js';
import { migratePostgres } from './migrate.js';
import { POSTGRES_MIGRATIONS } from './migration.js';
import { PgCredentialStore } from './pg-credentials.js';
import { ControlPlaneError, connectionProblem, connectPool, redactUrl } from './postgres.js';
import type { RegistryBackend, SimulatedFlag } from './registry-backend.js';
import { changedRows, inventoryFromRows, type Stored, TABLES, type TableName } from './stored-rows.js';

/** Rows per statement: one JSON parameter each, so a first import of 1M devices is not one 150 MB value. */
const CHUNK = 5_000;

const upsertSql = (table: string, columns: readonly string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')})
   SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${table}, $1)
   ON CONFLICT (id) DO UPDATE SET ${columns
     .filter((c) => c !== 'id')
     .map((c) => `${c} = EXCLUDED.${c}`)
     .join(', ')}`;

interface Snapshot {
  inventory: Inventory;
  simulated: Set<string>;
  meta: Map<string, string>;
}

type Hook = (inv: Inventory, simulatedIds: Set<string>) => void;
type Work = (c: pg.PoolClient) => Promise<unknown>;
type Batch = { work: Work; notice: string; resolve: () => void; reject: (err: unknown) => void }[];

export class PgRegistryStore implements RegistryBackend {
  /** This node, in its notices, so it does not re-read its own changes. */
  private readonly node = randomUUID();
  private snapshot: Snapshot = {
    inventory: inventoryFromRows(undefined, () => []),
    simulated: new Set(),
    meta: new Map(),
  };
  private readonly creds: PgCredentialStore;
  private hooks: Hook[] = [];
  /** Writes commit one after another, in the order they were made. */
  private queue: Promise<unknown> = Promise.resolve();
  private writesMade = 0;
  /** The writes waiting for the transaction in progress to end; they commit as one. */
  private batch: Batch | undefined;
  private feed: ChangeFeed | undefined;
  private open = true;
  private readonly rereads = new CoalescedReread<Snapshot>({
    isOpen: () => this.open,
    writesDone: () => this.queue,
    writesMade: () => this.writesMade,
    read: async (credentials) => {
      const snap = await this.read();
      if (credentials) await this.creds.readAll(this.pool);
      return snap;
    },
    apply: (snap) => {
      this.snapshot = snap;
      for (const hook of this.hooks) hook(snap.inventory, new Set(snap.simulated));
    },
    onError: (err) => this.log?.warn({ db: this.path, err: err.message }, 'registry re-read failed'),
  });

  private constructor(
    private readonly pool: pg.Pool,
    readonly path: string,
    private readonly log?: Logger,
  ) {
    this.creds = new PgCredentialStore((work, notice) => this.write(work, notice));
  }

  /** Connect, migrate, listen, then read the registry and the credentials. */
  static async open(url: string, log?: Logger): Promise<PgRegistryStore> {
    const pool = await connectPool(url);
    const store = new PgRegistryStore(pool, redactUrl(url), log);
    try {
      const applied = await migratePostgres(pool, POSTGRES_MIGRATIONS);
      if (applied.length) log?.info({ db: store.path, applied }, 'control plane migrated');
      // Listening before the first read: a change made between the two is heard, not lost.
      store.feed = new ChangeFeed({
        url,
        log,
        onNotice: (payload) => store.heard(payload),
        onReconnect: () => store.reread(true),
      });
      await store.feed.start();
      store.snapshot = await store.read();
      await store.creds.readAll(pool);
    } catch (err) {
      await store.close();
      throw err instanceof ControlPlaneError
        ? err
        : new ControlPlaneError(connectionProblem(url, err as Error));
    }
    return store;
  }

  load(): Inventory {
    return this.snapshot.inventory;
  }

  simulatedIds(): Set<string> {
    return new Set(this.snapshot.simulated);
  }

  isEmpty(): boolean {
    const inv = this.snapshot.inventory;
    return [inv.areas, inv.pipeSegments, inv.routes, inv.sites, inv.devices].every((m) => m.size === 0);
  }

  meta(key: string): string | undefined {
    return this.snapshot.meta.get(key);
  }

  credentials(): PgCredentialStore {
    return this.creds;
  }

  isOpen(): boolean {
    return this.open;
  }

  onExternalChange(hook: Hook): () => void {
    this.hooks.push(hook);
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hook);
    };
  }

  setMeta(key: string, value: string): Promise<void> {
    this.snapshot.meta.set(key, value);
    return this.write((c) => c.query(META_UPSERT, [key, value]), {});
  }

  upsert(inv: Inventory, unchangedFrom?: Inventory, simulated: SimulatedFlag = 'clear'): Promise<void> {
    const rows = changedRows(inv, unchangedFrom);
    const ids = rows.devices.map((d) => d.id);
    const snap = this.snapshot;
    // With `unchangedFrom`, `inv` was merged over the whole registry (the registry service, an import): it
    // is the whole next one, and a copy of 1M devices per registration is saved.
    snap.inventory = unchangedFrom ? inv : merged(snap.inventory, inv);
    snap.meta.set('city', JSON.stringify(inv.city));
    if (simulated === 'set') for (const id of ids) snap.simulated.add(id);
    if (simulated === 'clear') for (const id of ids) snap.simulated.delete(id);
    return this.write(async (c) => {
      await c.query(META_UPSERT, ['city', JSON.stringify(inv.city)]);
      for (const table of Object.keys(TABLES) as TableName[]) {
        const { columns, values } = TABLES[table];
        const toValues = values as (row: unknown) => unknown[];
        const all = rows[table] as unknown[];
        for (let i = 0; i < all.length; i += CHUNK) {
          const objects = all.slice(i, i + CHUNK).map((row) => {
            const v = toValues(row);
            return Object.fromEntries(columns.map((col, k) => [col, v[k]]));
          });
          await c.query(upsertSql(table, columns), [JSON.stringify(objects)]);
        }
      }
      if (simulated === 'set')
        await c.query('INSERT INTO simulated (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [ids]);
      if (simulated === 'clear') await c.query('DELETE FROM simulated WHERE id = ANY($1::text[])', [ids]);
    }, {});
  }

  deleteDevice(id: string): Promise<void> {
    const devices = new Map(this.snapshot.inventory.devices);
    devices.delete(id);
    this.snapshot.inventory = { ...this.snapshot.inventory, devices };
    this.snapshot.simulated.delete(id);
    return this.write(async (c) => {
      await c.query('DELETE FROM devices WHERE id = $1', [id]);
      await c.query('DELETE FROM simulated WHERE id = $1', [id]);
    }, {});
  }

  async markSimulated(ids: Iterable<string>): Promise<number> {
    const list = [...ids].filter((id) => this.snapshot.inventory.devices.has(id));
    for (const id of list) this.snapshot.simulated.add(id);
    let marked = 0;
    await this.write(async (c) => {
      const r = await c.query(
        'INSERT INTO simulated (id) SELECT id FROM devices WHERE id = ANY($1::text[]) ON CONFLICT DO NOTHING',
        [list],
      );
      marked = r.rowCount ?? 0;
    }, {});
    return marked;
  }

  /** Every write made so far committed (or failed). */
  async flushed(): Promise<void> {
    await this.queue;
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.queue;
    await this.feed?.close();
    await this.pool.end().catch(() => {});
  }

  /** The listening connection's server process, for tests that cut it. */
  feedBackendPid(): Promise<number | undefined> {
    return this.feed?.backendPid() ?? Promise.resolve(undefined);
  }

  /**
   * Run `work` after every earlier write, in one transaction with the other writes made meanwhile: those of
   * one call of the registry service (a device and its secret) land or fail together, and a burst of
   * registrations commits once. The transaction notifies the other nodes (delivered only on commit). A
   * failed batch is logged and the snapshot re-read, so memory does not keep what the database refused.
   */
  private write(work: Work, notice: { subject?: string }): Promise<void> {
    this.writesMade++;
    return new Promise<void>((resolve, reject) => {
      if (!this.batch) {
        const batch: Batch = [];
        this.batch = batch;
        const run = () => {
          // From now on writes gather in the next batch.
          if (this.batch === batch) this.batch = undefined;
          return this.commit(batch);
        };
        this.queue = this.queue.then(run, run);
      }
      this.batch.push({ work, notice: JSON.stringify({ node: this.node, ...notice }), resolve, reject });
    });
  }

  private async commit(batch: Batch): Promise<void> {
    let c: pg.PoolClient | undefined;
    try {
      c = await this.pool.connect();
      await c.query('BEGIN');
      for (const w of batch) await w.work(c);
      for (const notice of new Set(batch.map((w) => w.notice)))
        await c.query('SELECT pg_notify($1, $2)', [REGISTRY_CHANNEL, notice]);
      await c.query('COMMIT');
      c.release();
      for (const w of batch) w.resolve();
    } catch (err) {
      await c?.query('ROLLBACK').catch(() => {});
      c?.release(err as Error);
      this.log?.error(
        { db: this.path, err: (err as Error).message },
        'registry write failed: re-reading the registry',
      );
      for (const w of batch) w.reject(err);
      this.reread(true);
    }
  }

  /** A notice: another node's change (this node's own are in memory already). */
  private heard(payload: string): void {
    let notice: { node?: string; subject?: string };
    try {
      notice = JSON.parse(payload);
    } catch {
      return;
    }
    if (notice.node === this.node) return;
    if (notice.subject !== undefined) {
      const subject = notice.subject;
      void this.queue
        .then(() => this.creds.readSubject(this.pool, subject))
        .catch((err: Error) => this.log?.warn({ err: err.message, subject }, 'credential re-read failed'));
    } else this.reread(false);
  }

  /** Re-read the registry (and with `credentials` every credential) and tell the hooks; coalesced. */
  private reread(credentials: boolean): void {
    this.rereads.request(credentials);
  }

  /** The whole registry in one consistent read. */
  private async read(): Promise<Snapshot> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const meta = new Map(
        (await c.query<{ key: string; value: string }>('SELECT key, value FROM meta')).rows.map((r) => [
          r.key,
          r.value,
        ]),
      );
      const tables = new Map<TableName, Stored[]>();
      for (const table of Object.keys(TABLES) as TableName[])
        tables.set(table, (await c.query<Stored>(`SELECT * FROM ${table}`)).rows);
      const simulated = new Set(
        (await c.query<{ id: string }>('SELECT id FROM simulated')).rows.map((r) => r.id),
      );
      await c.query('COMMIT');
      c.release();
      return { inventory: inventoryFromRows(meta.get('city'), (t) => tables.get(t) ?? []), simulated, meta };
    } catch (err) {
      c.release(err as Error);
      throw err;
    }
  }
}

const META_UPSERT =
  'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value';

/** `inv`'s rows over `base`'s, as an upsert leaves the database. */
function merged(base: Inventory, inv: Inventory): Inventory {
  const over = <T>(a: Map<string, T>, b: Map<string, T>) => new Map([...a, ...b]);
  return {
    city: inv.city,
    areas: over(base.areas, inv.areas),
    pipeSegments: over(base.pipeSegments, inv.pipeSegments),
    routes: over(base.routes, inv.routes),
    sites: over(base.sites, inv.sites),
    devices: over(base.devices, inv.devices),
  };
}
