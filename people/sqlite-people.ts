// People in `<data-dir>/people.sqlite`, the embedded default. Several processes may open it at once (the
// running city and `citygauge users add`), so the audit chain's head is read and extended in one
// IMMEDIATE transaction: the second writer waits for the first instead of forking the chain.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrateSqlite } from '../registry/migrate.js';
import { PEOPLE_MIGRATIONS } from '../registry/migration.js';
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

export class SqlitePeople implements PeopleStore {
  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  static async open(dataDir: string): Promise<SqlitePeople> {
    const path = join(dataDir, 'people.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    await migrateSqlite(db, PEOPLE_MIGRATIONS);
    return new SqlitePeople(db, path);
  }

  async account(name: string) {
    const row = this.db.prepare('SELECT * FROM accounts WHERE name = ?').get(name) as AccountRow | undefined;
    return row && fromAccountRow(row);
  }

  async accountByOidcSubject(subject: string) {
    const row = this.db.prepare('SELECT * FROM accounts WHERE oidc_subject = ?').get(subject) as
      | AccountRow
      | undefined;
    return row && fromAccountRow(row);
  }

  async accounts() {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY name').all() as AccountRow[]).map(
      fromAccountRow,
    );
  }

  async createAccount(a: Account) {
    const taken = this.db.prepare('SELECT 1 FROM accounts WHERE name = ?').get(a.name);
    if (taken) return false;
    await this.putAccount(a);
    return true;
  }

  async putAccount(a: Account) {
    this.db
      .prepare(
        `INSERT INTO accounts (name, role, source, password_hash, must_change_password, disabled, oidc_subject,
           created_at, updated_at, last_sign_in_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET role = excluded.role, source = excluded.source,
           password_hash = excluded.password_hash, must_change_password = excluded.must_change_password,
           disabled = excluded.disabled, oidc_subject = excluded.oidc_subject, updated_at = excluded.updated_at,
           last_sign_in_at = excluded.last_sign_in_at`,
      )
      .run(
        a.name,
        a.role,
        a.source,
        a.passwordHash,
        a.mustChangePassword ? 1 : 0,
        a.disabled ? 1 : 0,
        a.oidcSubject,
        a.createdAt,
        a.updatedAt,
        a.lastSignInAt,
      );
  }

  async createSession(s: Session) {
    this.db
      .prepare(
        `INSERT INTO sessions (digest, name, created_at, last_seen_at, csrf, address, method)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.digest, s.name, s.createdAt, s.lastSeenAt, s.csrf, s.address, s.method);
  }

  async session(digest: string) {
    const row = this.db.prepare('SELECT * FROM sessions WHERE digest = ?').get(digest) as
      | Record<string, unknown>
      | undefined;
    return row && fromSessionRow(row);
  }

  async touchSession(digest: string, at: number) {
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE digest = ?').run(at, digest);
  }

  async deleteSession(digest: string) {
    this.db.prepare('DELETE FROM sessions WHERE digest = ?').run(digest);
  }

  async deleteSessionsOf(name: string) {
    return this.db.prepare('DELETE FROM sessions WHERE name = ?').run(name).changes;
  }

  async deleteExpiredSessions(idleBefore: number, createdBefore: number) {
    return this.db
      .prepare('DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?')
      .run(idleBefore, createdBefore).changes;
  }

  async createToken(t: PersonalToken) {
    this.db
      .prepare(
        `INSERT INTO personal_tokens (id, name, label, digest, created_at, expires_at, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(t.id, t.name, t.label, t.digest, t.createdAt, t.expiresAt, t.lastUsedAt);
  }

  async token(id: string) {
    const row = this.db.prepare('SELECT * FROM personal_tokens WHERE id = ?').get(id) as
      | Record<string, unknown>
      | undefined;
    return row && fromTokenRow(row);
  }

  async tokens(name?: string) {
    const rows = (
      name === undefined
        ? this.db.prepare('SELECT * FROM personal_tokens ORDER BY created_at').all()
        : this.db.prepare('SELECT * FROM personal_tokens WHERE name = ? ORDER BY created_at').all(name)
    ) as Record<string, unknown>[];
    return rows.map(fromTokenRow);
  }

  async touchToken(id: string, at: number) {
    this.db.prepare('UPDATE personal_tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  async deleteToken(id: string) {
    return this.db.prepare('DELETE FROM personal_tokens WHERE id = ?').run(id).changes > 0;
  }

  async appendAudit(draft: AuditDraft, at: number): Promise<AuditEntry> {
    const append = this.db.transaction(() => {
      const last = this.db.prepare('SELECT * FROM audit ORDER BY seq DESC LIMIT 1').get() as
        | AuditRow
        | undefined;
      const entry = chainNext(last && fromAuditRow(last), draft, at);
      this.db
        .prepare(
          `INSERT INTO audit (seq, at, actor, role, via, address, action, target, before, after, outcome,
             prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...auditValues(entry));
      return entry;
    });
    return append.immediate();
  }

  async auditPage(filter: AuditFilter) {
    const { sql, params } = auditWhere(filter, () => '?');
    const rows = this.db
      .prepare(`SELECT * FROM audit ${sql} ORDER BY seq DESC LIMIT ?`)
      .all(...params, filter.limit) as AuditRow[];
    return rows.map(fromAuditRow);
  }

  async *auditAll(batch = 1000): AsyncIterable<AuditEntry> {
    let after = 0;
    for (;;) {
      const rows = this.db
        .prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?')
        .all(after, batch) as AuditRow[];
      for (const row of rows) yield fromAuditRow(row);
      if (rows.length < batch) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  async close() {
    if (this.db.open) this.db.close();
  }
}
