// What people/ keeps in a database (issue 12): accounts, sessions, personal tokens and the audit trail, in
// `people.sqlite` under the data dir or in the PostgreSQL control plane every node shares. Asynchronous on
// both: a sign-in or a request with a session waits for one indexed read, which a cluster needs anyway,
// since a session made on one API node is used on another.
import type { AuditDraft, AuditEntry } from './audit-chain.js';
import type { Role } from './roles.js';

export interface Account {
  /** The sign-in name, unique, compared as written. */
  name: string;
  role: Role;
  /** `local`: signs in with a password here; `oidc`: at the city's identity provider. */
  source: 'local' | 'oidc';
  /** scrypt hash (people/password.ts); null for accounts that sign in elsewhere. */
  passwordHash: string | null;
  /** A one-time password was issued: the next sign-in must choose a new one. */
  mustChangePassword: boolean;
  disabled: boolean;
  /** `issuer subject` for OpenID Connect accounts: their name at the provider may change, this does not. */
  oidcSubject: string | null;
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
}

export interface Session {
  /** SHA-256 of the cookie's value, hex: the cookie itself is not stored. */
  digest: string;
  name: string;
  createdAt: number;
  lastSeenAt: number;
  /** The token form posts carry (CSRF). */
  csrf: string;
  address: string | null;
  /** How the person signed in: `local` or `oidc`. */
  method: 'local' | 'oidc';
}

export interface PersonalToken {
  /** The public half of the token, shown in lists and used to revoke it. */
  id: string;
  name: string;
  label: string | null;
  /** SHA-256 of the secret half, hex. */
  digest: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

export interface AuditFilter {
  actor?: string;
  /** An action, or its area: `device` matches `device.create` and `device.delete`. */
  action?: string;
  target?: string;
  from?: number;
  to?: number;
  /** Entries before this sequence number: the next page of a newest-first listing. */
  before?: number;
  limit: number;
}

export interface PeopleStore {
  /** Where it lives, for messages: a file, or a database URL without its password. */
  readonly path: string;
  account(name: string): Promise<Account | undefined>;
  accountByOidcSubject(subject: string): Promise<Account | undefined>;
  accounts(): Promise<Account[]>;
  /** Insert a new account; false when the name is taken (two nodes making `admin` at once: one wins). */
  createAccount(account: Account): Promise<boolean>;
  /** Insert, or replace the account of the same name. */
  putAccount(account: Account): Promise<void>;

  createSession(session: Session): Promise<void>;
  session(digest: string): Promise<Session | undefined>;
  touchSession(digest: string, at: number): Promise<void>;
  deleteSession(digest: string): Promise<void>;
  /** Signs a person out everywhere (disabled, password reset, role changed). */
  deleteSessionsOf(name: string): Promise<number>;
  /** Sessions idle since before `idleBefore` or created before `createdBefore`. */
  deleteExpiredSessions(idleBefore: number, createdBefore: number): Promise<number>;

  createToken(token: PersonalToken): Promise<void>;
  token(id: string): Promise<PersonalToken | undefined>;
  tokens(name?: string): Promise<PersonalToken[]>;
  touchToken(id: string, at: number): Promise<void>;
  deleteToken(id: string): Promise<boolean>;

  /** Append to the chain in one transaction with reading its head: writers on other processes queue. */
  appendAudit(draft: AuditDraft, at: number): Promise<AuditEntry>;
  /** Newest first. */
  auditPage(filter: AuditFilter): Promise<AuditEntry[]>;
  /** Every entry, oldest first, in batches: what `audit verify` walks. */
  auditAll(batch?: number): AsyncIterable<AuditEntry>;

  close(): Promise<void>;
}
