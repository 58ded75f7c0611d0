// The change log of user-defined indicators (issue 14 item 6): a definition is known by the SHA-256 of its
// canonical JSON, so a start with an edited indicators.yaml appends one entry per indicator that changed,
// and a start with the same file (reordered keys, comments, defaults spelled out) appends nothing.
import { createHash } from 'node:crypto';
import type { IndicatorDef } from './definition.js';

export type ChangeKind = 'definition' | 'recompute';

export interface ChangeEntry {
  seq: number;
  indicator: string;
  /** Epoch ms. */
  at: number;
  /** `definition`: a new definition was loaded; `recompute`: the history was rewritten with it. */
  kind: ChangeKind;
  /** The definition's hash (for a recompute: the definition it recomputed with). */
  hash: string;
  /** The hash of the definition recorded before this one; null for the first. */
  previousHash: string | null;
  definition: IndicatorDef;
  /** A recompute's range and counts. */
  detail: Record<string, unknown> | null;
  /** Who: `system` at a start, `cli:<user>` for a recompute. */
  actor: string;
}

export type ChangeDraft = Omit<ChangeEntry, 'seq'>;

/** Where the log is kept: `<data-dir>/indicator-changes.sqlite`, or the `--db` PostgreSQL control plane. */
export interface ChangeLogStore {
  append(entry: ChangeDraft): Promise<ChangeEntry>;
  /** Every entry of one indicator, oldest first. */
  list(indicator: string): Promise<ChangeEntry[]>;
  close(): Promise<void>;
}

/** JSON with object keys sorted at every depth: one text per definition, whatever order the file used. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `sha256:<hex>` of the canonical JSON of a validated definition (defaults applied, so `unit: "%"` or not is one hash). */
export function definitionHash(def: IndicatorDef): string {
  return `sha256:${createHash('sha256').update(canonicalJson(def)).digest('hex')}`;
}

/** The hash last recorded for the indicator's definition (a recompute does not change it). */
export function lastDefinitionHash(entries: readonly ChangeEntry[]): string | null {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].kind === 'definition') return entries[i].hash;
  return null;
}

/**
 * Append a `definition` entry for each user-defined indicator whose definition differs from the one last
 * recorded (or was never recorded). Returns the entries appended, for the audit trail.
 */
export async function recordDefinitions(
  store: ChangeLogStore,
  defs: readonly IndicatorDef[],
  at: number,
  actor = 'system',
): Promise<ChangeEntry[]> {
  const appended: ChangeEntry[] = [];
  for (const def of defs) {
    const hash = definitionHash(def);
    const previousHash = lastDefinitionHash(await store.list(def.id));
    if (previousHash === hash) continue;
    appended.push(
      await store.append({
        indicator: def.id,
        at,
        kind: 'definition',
        hash,
        previousHash,
        definition: def,
        detail: null,
        actor,
      }),
    );
  }
  return appended;
}
