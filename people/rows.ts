// Rows of people's tables as both databases give them back (SQLite's integers, PostgreSQL's BIGINT strings
// and booleans), and the audit listing's WHERE clause in either's placeholders.
import type { AuditEntry } from './audit-chain.js';
import type { Account, AuditFilter, PersonalToken, Session } from './people-store.js';
import type { Role } from './roles.js';

export interface AccountRow {
  name: string;
  role: string;
  source: string;
  password_hash: string | null;
  must_change_password: number | boolean;
  disabled: number | boolean;
  oidc_subject: string | null;
  created_at: number | string;
  updated_at: number | string;
  last_sign_in_at: number | string | null;
}

export interface AuditRow {
  seq: number | string;
  at: number | string;
  actor: string;
  role: string | null;
  via: string;
  address: string | null;
  action: string;
  target: string | null;
  before: string;
  after: string;
  outcome: string;
  prev_hash: string;
  hash: string;
}

export function fromAccountRow(r: AccountRow): Account {
  return {
    name: r.name,
    role: r.role as Role,
    source: r.source as Account['source'],
    passwordHash: r.password_hash,
    mustChangePassword: !!r.must_change_password,
    disabled: !!r.disabled,
    oidcSubject: r.oidc_subject,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lastSignInAt: r.last_sign_in_at === null ? null : Number(r.last_sign_in_at),
  };
}

export function fromAuditRow(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    actor: r.actor,
    role: r.role,
    via: r.via as AuditEntry['via'],
    address: r.address,
    action: r.action,
    target: r.target,
    before: JSON.parse(r.before),
    after: JSON.parse(r.after),
    outcome: r.outcome as AuditEntry['outcome'],
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** `WHERE …` for a filter, with `placeholder(n)` numbering the parameters (`?` or `$n`). */
export function auditWhere(
  f: AuditFilter,
  placeholder: (n: number) => string,
): { sql: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: (p: string) => string, value: string | number) => {
    params.push(value);
    clauses.push(clause(placeholder(params.length)));
  };
  if (f.actor !== undefined) add((p) => `actor = ${p}`, f.actor);
  if (f.action !== undefined) {
    // `signin` is both an action and the area of `signin.refused`.
    params.push(f.action, `${f.action}.%`);
    clauses.push(`(action = ${placeholder(params.length - 1)} OR action LIKE ${placeholder(params.length)})`);
  }
  if (f.target !== undefined) add((p) => `target = ${p}`, f.target);
  if (f.from !== undefined) add((p) => `at >= ${p}`, f.from);
  if (f.to !== undefined) add((p) => `at < ${p}`, f.to);
  if (f.before !== undefined) add((p) => `seq < ${p}`, f.before);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function fromSessionRow(row: Record<string, unknown>): Session {
  return {
    digest: row.digest as string,
    name: row.name as string,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    csrf: row.csrf as string,
    address: (row.address as string | null) ?? null,
    method: row.method as Session['method'],
  };
}

export function fromTokenRow(row: Record<string, unknown>): PersonalToken {
  return {
    id: row.id as string,
    name: row.name as string,
    label: (row.label as string | null) ?? null,
    digest: row.digest as string,
    createdAt: Number(row.created_at),
    expiresAt: num(row.expires_at),
    lastUsedAt: num(row.last_used_at),
  };
}

/** An entry's columns in the order of the INSERTs of both stores. */
export function auditValues(e: AuditEntry) {
  return [
    e.seq,
    e.at,
    e.actor,
    e.role,
    e.via,
    e.address,
    e.action,
    e.target,
    JSON.stringify(e.before ?? null),
    JSON.stringify(e.after ?? null),
    e.outcome,
    e.prevHash,
    e.hash,
  ] as const;
}
