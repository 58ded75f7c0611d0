// Credentials in a PostgreSQL control plane: verified from memory like SQLite's (a reconnect storm must not
// wait on the database), written through the store's ordered writes, and kept current on every node by the
// change feed: a token issued on one node opens the broker on another within a second.
import type pg from 'pg';
import {
  type CachedCredential,
  type CredentialStore,
  matches,
  newToken,
  type SubjectType,
  tokenDigest,
} from './credentials.js';
import { PendingWrites } from './registry-backend.js';

/** A write in a transaction of the store's, with the notice the other nodes hear once it commits. */
export type WriteInTransaction = (
  work: (client: pg.PoolClient) => Promise<unknown>,
  notice: { subject?: string },
) => Promise<void>;

interface Row {
  subject: string;
  type: SubjectType;
  digest: Buffer;
}

export class PgCredentialStore implements CredentialStore {
  private cache = new Map<string, CachedCredential>();
  private readonly pending = new PendingWrites();

  constructor(private readonly write: WriteInTransaction) {}

  issue(subject: string, type: SubjectType, now = Date.now()): string {
    const token = newToken();
    this.setToken(subject, type, token, now);
    return token;
  }

  setToken(subject: string, type: SubjectType, token: string, now = Date.now()): void {
    const digest = tokenDigest(token);
    this.cache.set(subject, { type, digest });
    const upsert = (c: pg.PoolClient) =>
      c.query(
        `INSERT INTO credentials (subject, type, digest, issued_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (subject) DO UPDATE SET type = EXCLUDED.type, digest = EXCLUDED.digest, issued_at = EXCLUDED.issued_at`,
        [subject, type, digest, now],
      );
    this.pending.add(this.write(upsert, { subject }));
  }

  /** From memory only: the change feed brings other nodes' tokens, so a miss is a refusal. */
  verify(subject: string, token: string): SubjectType | undefined {
    const cached = this.cache.get(subject);
    return matches(cached, token) ? cached?.type : undefined;
  }

  has(subject: string): boolean {
    return this.cache.has(subject);
  }

  revoke(subject: string): void {
    this.cache.delete(subject);
    this.pending.add(
      this.write((c) => c.query('DELETE FROM credentials WHERE subject = $1', [subject]), { subject }),
    );
  }

  written(): Promise<void> {
    return this.pending.settled();
  }

  /** Every credential, re-read (at start, and after the change feed was away). */
  async readAll(db: pg.Pool | pg.PoolClient): Promise<void> {
    const { rows } = await db.query<Row>('SELECT subject, type, digest FROM credentials');
    this.cache = new Map(rows.map((r) => [r.subject, { type: r.type, digest: r.digest }]));
  }

  /** One subject, re-read: another node issued, rotated or revoked its token. */
  async readSubject(db: pg.Pool, subject: string): Promise<void> {
    const { rows } = await db.query<Row>('SELECT subject, type, digest FROM credentials WHERE subject = $1', [
      subject,
    ]);
    const row = rows[0];
    if (row) this.cache.set(subject, { type: row.type, digest: row.digest });
    else this.cache.delete(subject);
  }
}
