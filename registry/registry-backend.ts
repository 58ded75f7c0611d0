// What the registry service needs of a database: the embedded SQLite file (store.ts, synchronous) or a
// shared PostgreSQL (pg-store.ts). Reads are synchronous on both, since PostgreSQL's are served from the
// snapshot it keeps in memory and refreshes on its change feed; a write returns a promise on PostgreSQL,
// nothing on SQLite, so the embedded path stays as fast and as simple as it was.
import type { CredentialStore } from './credentials.js';
import type { Inventory } from './inventory.js';
import type { MaintenanceStore } from './maintenance-plan.js';

/** Nothing once written (SQLite), or a promise that settles when the database committed (PostgreSQL). */
export type Written = void | Promise<void>;

/**
 * What a write does to the simulated flag of the devices it writes (issue 10 item 3): `set` for the city
 * `citygauge start` imports on first start, `clear` for a person's (an upload, an import, a registration),
 * `keep` for a change to a registered device.
 */
export type SimulatedFlag = 'set' | 'clear' | 'keep';

export interface RegistryBackend {
  /** Where the registry lives, for people: a file, or a database URL without its password. */
  readonly path: string;
  load(): Inventory;
  /** The devices the simulated fleet plays: those `citygauge start` imported on first start. */
  simulatedIds(): Set<string>;
  isEmpty(): boolean;
  meta(key: string): string | undefined;
  setMeta(key: string, value: string): Written;
  /**
   * Insert or update, by id, city.json and every row of `inv`, in one transaction: all of it lands or none.
   * Rows that are the very objects of `unchangedFrom` (the stored inventory `inv` was merged over) are
   * already stored and skipped, so an import of 100 rows into a registry of 1M rewrites 100.
   */
  upsert(inv: Inventory, unchangedFrom?: Inventory, simulated?: SimulatedFlag): Written;
  deleteDevice(id: string): Written;
  /** Mark registered devices simulated (a data dir from before the flag; see cli/start-registry.ts). */
  markSimulated(ids: Iterable<string>): number | Promise<number>;
  /** Device and service credentials, in the same database. */
  credentials(): CredentialStore;
  /** The maintenance windows, in the same database (the embedded SQLite only, so far). */
  maintenance?(): MaintenanceStore;
  isOpen(): boolean;
  close(): void | Promise<void>;
  /**
   * Hooks told the whole registry, re-read, when another node changed it (PostgreSQL's change feed); the
   * embedded SQLite has no other writer that tells, so it has none.
   */
  onExternalChange?(listener: (inv: Inventory, simulatedIds: Set<string>) => void): () => void;
}

/** Writes a database has not committed yet, awaited together; a failure nobody awaits is not unhandled. */
export class PendingWrites {
  private readonly inFlight = new Set<Promise<unknown>>();

  add(w: Written | Promise<unknown>): void {
    if (!w) return;
    this.inFlight.add(w);
    w.catch(() => {}).finally(() => this.inFlight.delete(w));
  }

  /** Settles when every write added so far did; rejects with the first that failed. */
  async settled(): Promise<void> {
    await Promise.all(this.inFlight);
  }
}
