// The audit trail is a hash chain (issue 12): each entry's hash covers its own fields and the hash of the
// entry before it, so an entry edited, removed or inserted behind the store's back breaks the chain at
// that entry, and `citygauge audit verify` names it. Pure: the stores hand entries in, in order.
import { createHash } from 'node:crypto';

/** Where a change came from: the way its actor proved who they are. */
export type AuditVia =
  | 'session'
  | 'token'
  | 'dashboard'
  | 'break-glass'
  | 'cli'
  | 'oidc'
  | 'system'
  | 'anonymous';

/** What the caller says about one change; the chain adds its number, time and hashes. */
export interface AuditDraft {
  /** The person (or `admin-token`, `cli:<user>`, `system`) who acted, or tried to. */
  actor: string;
  role: string | null;
  via: AuditVia;
  /** The client address; null for the command line. */
  address: string | null;
  /** What was done, as `area.verb`: `device.create`, `threshold.set`, `signin.refused`, … */
  action: string;
  /** What it was done to: a device id, an alert id, an account name, …; null when nothing in particular. */
  target: string | null;
  before: unknown;
  after: unknown;
  outcome: 'ok' | 'refused';
}

export interface AuditEntry extends AuditDraft {
  /** 1, 2, 3, … with no gaps. */
  seq: number;
  /** Milliseconds since the epoch. */
  at: number;
  prevHash: string;
  hash: string;
}

/** The hash before the first entry. */
export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value ?? null;
}

/** The hash of an entry whose predecessor's hash is `prevHash`. */
export function entryHash(entry: Omit<AuditEntry, 'hash' | 'prevHash'>, prevHash: string): string {
  const { seq, at, actor, role, via, address, action, target, before, after, outcome } = entry;
  const body = canonicalJson({ seq, at, actor, role, via, address, action, target, before, after, outcome });
  return createHash('sha256').update(`${prevHash}\n${body}`, 'utf8').digest('hex');
}

/** The next entry of a chain whose last entry is `last` (undefined for an empty chain). */
export function chainNext(last: AuditEntry | undefined, draft: AuditDraft, at: number): AuditEntry {
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS;
  // As JSON will give it back from the store, so the hash checked later is of the same values.
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v ?? null)) as unknown;
  const entry = { ...draft, before: plain(draft.before), after: plain(draft.after), seq, at };
  return { ...entry, prevHash, hash: entryHash(entry, prevHash) };
}

export type ChainCheck =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; seq: number; reason: string };

/**
 * Checks a chain entry by entry, as the entries stream past, so a chain of millions is verified in constant
 * memory. `add` returns the first break found; later entries are not looked at.
 */
export class ChainVerifier {
  private last: AuditEntry | undefined;
  private count = 0;
  private broken: Extract<ChainCheck, { ok: false }> | undefined;

  add(entry: AuditEntry): Extract<ChainCheck, { ok: false }> | undefined {
    if (this.broken) return this.broken;
    const want = (this.last?.seq ?? 0) + 1;
    const prev = this.last?.hash ?? GENESIS;
    const fail = (seq: number, reason: string) => {
      this.broken = { ok: false, entries: this.count, seq, reason };
      return this.broken;
    };
    // An entry whose hash no longer matches its own fields was edited, whatever number it now claims: the
    // break is at its place in the chain, not at the number written into it.
    if (entry.seq !== want && entryHash(entry, entry.prevHash) !== entry.hash)
      return fail(want, `entry ${want} was changed after it was written: its hash does not match`);
    if (entry.seq > want)
      return fail(
        want,
        entry.seq === want + 1
          ? `entry ${want} is missing: entry ${entry.seq} follows entry ${want - 1}`
          : `entries ${want} to ${entry.seq - 1} are missing: entry ${entry.seq} follows entry ${want - 1}`,
      );
    if (entry.seq < want) return fail(entry.seq, `entry ${entry.seq} appears twice or out of order`);
    if (entry.prevHash !== prev)
      return fail(
        entry.seq,
        `entry ${entry.seq} does not follow entry ${want - 1}: its previous hash differs`,
      );
    if (entryHash(entry, entry.prevHash) !== entry.hash)
      return fail(entry.seq, `entry ${entry.seq} was changed after it was written: its hash does not match`);
    this.last = entry;
    this.count++;
    return undefined;
  }

  result(): ChainCheck {
    return this.broken ?? { ok: true, entries: this.count, head: this.last?.hash ?? GENESIS };
  }
}
