// What the scorecard store needs of a database: the embedded scorecard.sqlite (sqlite-scorecard.ts) or the
// PostgreSQL every node shares (pg-scorecard.ts). Both answer synchronously, PostgreSQL from the view it
// keeps in memory; its writes commit in order behind the answer, and written() awaits them.
import type { CompositeIndex, SelfAssessment } from '../indicators/iso/index.js';
import type { Written } from '../registry/registry-backend.js';
import type { AdminEntry, CheckedEntry } from './entry-check.js';

export interface ScorecardBackend {
  /** Where the scorecard lives, for people: a file, or a database URL without its password. */
  readonly path: string;
  /** Run `fn` as one transaction: a throw undoes every write of it (nested calls included). */
  transaction<T>(fn: () => T): T;
  isEmpty(): boolean;
  /** The entry standing for an indicator in a period: the one not superseded. */
  standing(indicator: string, period: string): AdminEntry | undefined;
  /** Every standing entry of one period. */
  standingIn(period: string): AdminEntry[];
  /** Write a checked entry at `atMs`, superseding `current`; both as stored now. */
  insert(
    e: CheckedEntry,
    atMs: number,
    current: AdminEntry | undefined,
  ): { entry: AdminEntry; superseded: AdminEntry | null };
  /** Every entry, superseded ones included, oldest first; filtered by indicator and period when given. */
  history(filter: { indicator?: string; period?: string }): AdminEntry[];
  setting(key: string): unknown;
  putSetting(key: string, value: unknown, atMs: number): void;
  addSelfAssessment(a: SelfAssessment, atMs: number): void;
  /** Every self-assessment recorded, oldest first. */
  selfAssessments(): SelfAssessment[];
  /** The composite definitions stored, by id. */
  composites(): CompositeIndex[];
  putComposite(id: string, definition: CompositeIndex, atMs: number): void;
  /** Settles once the database has every write made so far; rejects when one failed. */
  written(): Promise<void>;
  /** Hooks told when another node changed the scorecard (PostgreSQL's change feed); none on SQLite. */
  onExternalChange?(hook: () => void): () => void;
  isOpen(): boolean;
  close(): Written;
}
