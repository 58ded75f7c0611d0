// The connection to a PostgreSQL control plane (`--db postgres://…`): a small pool, checked at once, so an
// unreachable or misconfigured database stops a command with a message naming the fix, not a stack trace.
import pg from 'pg';

/** A database the control plane cannot use; the message says what to check. */
export class ControlPlaneError extends Error {
  readonly code = 'ERR_CONTROL_PLANE';
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** Why a connection failed, in words that name the fix. */
export function connectionProblem(url: string, err: Error & { code?: string }): string {
  const where = redactUrl(url);
  const why = err.code ? `${err.code}: ${err.message}` : err.message;
  if (err.code === '28P01' || err.code === '28000')
    return `PostgreSQL at ${where} refused the login (${why}): check the user and password in --db`;
  if (err.code === '3D000')
    return `PostgreSQL at ${where} has no such database (${why}): create it (createdb) or fix --db`;
  return `cannot reach PostgreSQL at ${where} (${why}): check --db, that the server runs and accepts connections from this host`;
}

/** A pool of connections to `url`, tried once before it is handed out. */
export async function connectPool(url: string, max = 4): Promise<pg.Pool> {
  if (!isPostgresUrl(url))
    throw new ControlPlaneError(`--db '${redactUrl(url)}' is not a postgres:// or postgresql:// URL`);
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5_000 });
  // An idle connection the server drops emits here; without a listener it would end the process.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new ControlPlaneError(connectionProblem(url, err as Error));
  }
  return pool;
}
