// People in the PostgreSQL control plane (`--db postgres://…`), shared by every node of a cluster: a
// session made on one API node is good on all of them, and a disabled account is refused everywhere at its
// next request. Every node appends to the one audit chain; a transaction-scoped advisory lock makes them
// take turns, so the chain never forks.
import type pg from 'pg';
import { migratePostgres } from '../registry/migrate.js';
import { POSTGRES_MIGRATIONS } from '../registry/migration.js';
import { connectPool, redactUrl } from '../registry/postgres.js';
import { type AuditDraft, type AuditEntry, chainNext } from './audit-chain.js';
import type { Account, AuditFilter, PeopleStore, PersonalToken, Session } from './people-store.js';
import {
  type AccountRow,
  type AuditRow,
  auditValues,
  auditWhere,
  fromAccountRow,
  fromAuditRow,
  fromSessionRow,
  fromTokenRow,
} from './rows.js';

/** Any constant: audit appends of all nodes take turns on it. */
const AUDIT_LOCK = 30_148;

const accountValues = (a: Account) => [
  a.name,
  a.role,
  a.source,
  a.passwordHash,
  a.mustChangePassword,
  a.disabled,
  a.oidcSubject,
  a.createdAt,
  a.updatedAt,
  a.lastSignInAt,
];

export class PgPeople implements PeopleStore {
  private constructor(
    private readonly pool: pg.Pool,
    readonly path: string,
  ) {}

  static async open(url: string): Promise<PgPeople> {
    const pool = await connectPool(url, 4);
    try {
      await migratePostgres(pool, POSTGRES_MIGRATIONS);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PgPeople(pool, redactUrl(url));
  }

  private async one<T>(sql: string, params: unknown[]): Promise<T | undefined> {
    const { rows } = await this.pool.query(sql, params);
    return rows[0] as T | undefined;
  }

  async account(name: string) {
    const row = await this.one<AccountRow>('SELECT * FROM accounts WHERE name = $1', [name]);
    return row && fromAccountRow(row);
  }

  async accountByOidcSubject(subject: string) {
    const row = await this.one<AccountRow>('SELECT * FROM accounts WHERE oidc_subject = $1', [subject]);
    return row && fromAccountRow(row);
  }

  async accounts() {
    const { rows } = await this.pool.query<AccountRow>('SELECT * FROM accounts ORDER BY name');
    return rows.map(fromAccountRow);
  }

  async createAccount(a: Account) {
    const r = await this.pool.query(
      `INSERT INTO accounts (name, role, source, password_hash, must_change_password, disabled, oidc_subject,
         created_at, updated_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (name) DO NOTHING`,
      accountValues(a),
    );
    return (r.rowCount ?? 0) > 0;
  }

  async putAccount(a: Account) {
    await this.pool.query(
      `INSERT INTO accounts (name, role, source, password_hash, must_change_password, disabled, oidc_subject,
         created_at, updated_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, source = EXCLUDED.source,
         password_hash = EXCLUDED.password_hash, must_change_password = EXCLUDED.must_change_password,
         disabled = EXCLUDED.disabled, oidc_subject = EXCLUDED.oidc_subject, updated_at = EXCLUDED.updated_at,
         last_sign_in_at = EXCLUDED.last_sign_in_at`,
      accountValues(a),
    );
  }

  async createSession(s: Session) {
    await this.pool.query(
      `INSERT INTO sessions (digest, name, created_at, last_seen_at, csrf, address, method)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [s.digest, s.name, s.createdAt, s.lastSeenAt, s.csrf, s.address, s.method],
    );
  }

  async session(digest: string) {
    const row = await this.one<Record<string, unknown>>('SELECT * FROM sessions WHERE digest = $1', [digest]);
    return row && fromSessionRow(row);
  }

  async touchSession(digest: string, at: number) {
    await this.pool.query('UPDATE sessions SET last_seen_at = $1 WHERE digest = $2', [at, digest]);
  }

  async deleteSession(digest: string) {
    await this.pool.query('DELETE FROM sessions WHERE digest = $1', [digest]);
  }

  async deleteSessionsOf(name: string) {
    return (await this.pool.query('DELETE FROM sessions WHERE name = $1', [name])).rowCount ?? 0;
  }

  async deleteExpiredSessions(idleBefore: number, createdBefore: number) {
    const r = await this.pool.query('DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2', [
      idleBefore,
      createdBefore,
    ]);
    return r.rowCount ?? 0;
  }

  async createToken(t: PersonalToken) {
    await this.pool.query(
      `INSERT INTO personal_tokens (id, name, label, digest, created_at, expires_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [t.id, t.name, t.label, t.digest, t.createdAt, t.expiresAt, t.lastUsedAt],
    );
  }

  async token(id: string) {
    const row = await this.one<Record<string, unknown>>('SELECT * FROM personal_tokens WHERE id = $1', [id]);
    return row && fromTokenRow(row);
  }

  async tokens(name?: string) {
    const { rows } =
      name === undefined
        ? await this.pool.query('SELECT * FROM personal_tokens ORDER BY created_at')
        : await this.pool.query('SELECT * FROM personal_tokens WHERE name = $1 ORDER BY created_at', [name]);
    return rows.map(fromTokenRow);
  }

  async touchToken(id: string, at: number) {
    await this.pool.query('UPDATE personal_tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
  }

  async deleteToken(id: string) {
    return ((await this.pool.query('DELETE FROM personal_tokens WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async appendAudit(draft: AuditDraft, at: number): Promise<AuditEntry> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const { rows } = await client.query<AuditRow>('SELECT * FROM audit ORDER BY seq DESC LIMIT 1');
      const entry = chainNext(rows[0] && fromAuditRow(rows[0]), draft, at);
      await client.query(
        `INSERT INTO audit (seq, at, actor, role, via, address, action, target, before, after, outcome,
           prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [...auditValues(entry)],
      );
      await client.query('COMMIT');
      return entry;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async auditPage(filter: AuditFilter) {
    const { sql, params } = auditWhere(filter, (n) => `$${n}`);
    const { rows } = await this.pool.query<AuditRow>(
      `SELECT * FROM audit ${sql} ORDER BY seq DESC LIMIT $${params.length + 1}`,
      [...params, filter.limit],
    );
    return rows.map(fromAuditRow);
  }

  async *auditAll(batch = 1000): AsyncIterable<AuditEntry> {
    let after = 0;
    for (;;) {
      const { rows } = await this.pool.query<AuditRow>(
        'SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2',
        [after, batch],
      );
      for (const row of rows) yield fromAuditRow(row);
      if (rows.length < batch) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  async close() {
    await this.pool.end();
  }
}
