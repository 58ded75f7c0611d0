// Credentials of devices and service accounts: a random token per subject (192 bits), shown once when
// issued and stored only as its SHA-256 digest. A fast digest, not a slow password hash: the token is
// random, so nothing is gained by slowing down a reconnect storm of thousands of devices. Compared in
// constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';

export type SubjectType = 'device' | 'service' | 'admin';

/** The embedded Node-RED's account: MQTT like `service:node-red`, and HTTP writes like the admin. */
export const EMBEDDED_RED_SUBJECT = 'service:node-red-embedded';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Credentials as the broker and the HTTP API use them, synchronous on every database: digests are cached in
 * memory, since authentication must not wait for a database per connection. A write is cached at once and
 * stored by the time `written()` settles (at once on SQLite).
 */
export interface CredentialStore {
  /** A new token for `subject`, replacing any earlier one. The caller shows it once; it is not kept. */
  issue(subject: string, type: SubjectType, now?: number): string;
  /** Store a digest for a token chosen elsewhere (e.g. CITYGAUGE_ADMIN_TOKEN). */
  setToken(subject: string, type: SubjectType, token: string, now?: number): void;
  /** The subject's type when `token` is its current token, else undefined. */
  verify(subject: string, token: string): SubjectType | undefined;
  has(subject: string): boolean;
  revoke(subject: string): void;
  /** Settles once every write made so far is stored; rejects when one failed. */
  written(): Promise<void>;
}

export type CachedCredential = { type: SubjectType; digest: Buffer };

/** `token` is `cached`'s, compared in constant time. */
export function matches(cached: CachedCredential | undefined, token: string): boolean {
  return cached !== undefined && timingSafeEqual(cached.digest, tokenDigest(token));
}

export class SqliteCredentialStore implements CredentialStore {
  /** Digests by subject, read once: authentication must not hit the disk per connection. */
  private readonly cache = new Map<string, CachedCredential>();

  constructor(private readonly db: Database.Database) {
    for (const row of db
      .prepare('SELECT subject, type, digest FROM credentials')
      .iterate() as IterableIterator<{
      subject: string;
      type: SubjectType;
      digest: Buffer;
    }>) {
      this.cache.set(row.subject, { type: row.type, digest: row.digest });
    }
  }

  /** A new token for `subject`, replacing any earlier one. The caller shows it once; it is not kept. */
  issue(subject: string, type: SubjectType, now = Date.now()): string {
    const token = newToken();
    this.setToken(subject, type, token, now);
    return token;
  }

  /** Store a digest for a token chosen elsewhere (e.g. CITYGAUGE_ADMIN_TOKEN). */
  setToken(subject: string, type: SubjectType, token: string, now = Date.now()): void {
    const digest = tokenDigest(token);
    this.db
      .prepare(
        `INSERT INTO credentials (subject, type, digest, issued_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(subject) DO UPDATE SET type = excluded.type, digest = excluded.digest, issued_at = excluded.issued_at`,
      )
      .run(subject, type, digest, now);
    this.cache.set(subject, { type, digest });
  }

  /**
   * The subject's type when `token` is its current token, else undefined. On a miss the row is read again:
   * another process (`citygauge simulate`, a second API) may have issued the token since the cache was filled.
   */
  verify(subject: string, token: string): SubjectType | undefined {
    const digest = tokenDigest(token);
    const cached = this.cache.get(subject);
    if (cached && timingSafeEqual(cached.digest, digest)) return cached.type;
    const row = this.db.prepare('SELECT type, digest FROM credentials WHERE subject = ?').get(subject) as
      | { type: SubjectType; digest: Buffer }
      | undefined;
    if (!row) {
      this.cache.delete(subject);
      return undefined;
    }
    this.cache.set(subject, row);
    return timingSafeEqual(row.digest, digest) ? row.type : undefined;
  }

  written(): Promise<void> {
    return Promise.resolve();
  }

  has(subject: string): boolean {
    return this.cache.has(subject);
  }

  revoke(subject: string): void {
    this.db.prepare('DELETE FROM credentials WHERE subject = ?').run(subject);
    this.cache.delete(subject);
  }
}
