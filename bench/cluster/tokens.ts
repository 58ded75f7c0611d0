// The bench devices' credentials, where each target reads them: a node's own SQLite registry (the one-process
// city, and a launcher that gives each node a copy), or the cluster's PostgreSQL control plane, through its
// store so every node hears of them on the change feed. And how busy PostgreSQL was while the bench ran.
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import pg from 'pg';
import { tokenDigest } from '../../registry/credentials.js';
import { PgRegistryStore } from '../../registry/pg-store.js';
import { REGISTRY_FILE } from '../../registry/store.js';
import { benchToken } from './traffic.js';

/** One transaction: a commit per device (synchronous = FULL) would take minutes for thousands. */
export function writeTokensSqlite(dataDir: string, ids: readonly string[]): void {
  const db = new Database(`${dataDir}/${REGISTRY_FILE}`);
  db.pragma('busy_timeout = 10000');
  const put = db.prepare(
    `INSERT INTO credentials (subject, type, digest, issued_at) VALUES (?, 'device', ?, ?)
     ON CONFLICT(subject) DO UPDATE SET type = excluded.type, digest = excluded.digest, issued_at = excluded.issued_at`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (const id of ids) put.run(id, tokenDigest(benchToken(id)), now);
  })();
  db.close();
}

/** Through the control plane's store: its writes batch into few transactions and notify every node. */
export async function writeTokensPostgres(url: string, ids: readonly string[]): Promise<void> {
  const store = await PgRegistryStore.open(url);
  try {
    const creds = store.credentials();
    for (const id of ids) creds.setToken(id, 'device', benchToken(id));
    await creds.written();
  } finally {
    await store.close();
  }
}

/** Until `id` with its bench token is admitted by the broker at `url` (its node has heard of the token). */
export async function untilAdmitted(url: string, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const error = await mqtt
      .connectAsync(url, { clientId: id, username: id, password: benchToken(id), reconnectPeriod: 0 })
      .then((c) => c.endAsync().then(() => undefined))
      .catch((err: Error) => err);
    if (!error) return;
    if (Date.now() > deadline)
      throw new Error(`${url} still refuses ${id} after ${timeoutMs / 1000} s: ${error.message}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export interface PgActivity {
  transactions: number;
  rowsRead: number;
  rowsWritten: number;
}

/** The database's cumulative counters (pg_stat_database: flushed by each backend about once a second). */
export async function pgActivity(url: string): Promise<PgActivity> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT xact_commit + xact_rollback AS tx, tup_returned + tup_fetched AS rd,
              tup_inserted + tup_updated + tup_deleted AS wr
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    return {
      transactions: Number(rows[0].tx),
      rowsRead: Number(rows[0].rd),
      rowsWritten: Number(rows[0].wr),
    };
  } finally {
    await client.end();
  }
}

export const activityBetween = (a: PgActivity, b: PgActivity): PgActivity => ({
  transactions: b.transactions - a.transactions,
  rowsRead: b.rowsRead - a.rowsRead,
  rowsWritten: b.rowsWritten - a.rowsWritten,
});
