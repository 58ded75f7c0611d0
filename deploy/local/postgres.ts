// The local cluster's control plane: a PostgreSQL server of its own in DIR/pg, run by Debian's server
// binaries (initdb, pg_ctl) on a loopback port, with a password made at first start. initdb refuses to run
// as root, and CI runs as root: the server then belongs to the `postgres` account and runs through runuser.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { isRunning } from './topology.js';

export class PostgresError extends Error {}

const INSTALL = "apt-get install postgresql (Debian's server: initdb and pg_ctl)";
export const DATABASE = 'citygauge';
const USER = 'postgres';

/** A program on the PATH, or in the sbin directories a user's PATH may lack. */
function onPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  return found || ['/usr/sbin', '/sbin'].map((d) => join(d, name)).find((p) => existsSync(p));
}

/** initdb and pg_ctl: on the PATH, or where Debian puts them (not on the PATH by default). */
function binary(name: 'initdb' | 'pg_ctl'): string {
  const found = onPath(name);
  if (found) return found;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const path = join(root, v, 'bin', name);
    if (existsSync(path)) return path;
  }
  throw new PostgresError(`PostgreSQL's ${name} was not found: ${INSTALL}`);
}

/**
 * Before anything starts: the server binaries are there, and DIR/pg is made; as root, it belongs to the
 * account the server runs as, which must be able to reach it.
 */
export function preparePostgres(dir: string): void {
  binary('initdb');
  binary('pg_ctl');
  const as = runAs();
  const { home } = paths(dir);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if (!as) return;
  chownSync(home, as.uid, as.gid);
  // DIR becomes searchable (not readable) by others; the directories above it must be already.
  chmodSync(dir, statSync(dir).mode | 0o001);
  if (spawnSync(as.runuser, ['-u', as.user, '--', 'test', '-w', home]).status !== 0)
    throw new PostgresError(
      `the ${as.user} account, which runs PostgreSQL here, cannot reach ${home}: every directory above it must be searchable by others (chmod o+x ${dirname(dir)} and up), or choose a --dir under /tmp`,
    );
}

interface Account {
  user: string;
  runuser: string;
  uid: number;
  gid: number;
}

/** The account the server runs as when this is root: Debian's `postgres`, else `nobody`. */
function runAs(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const runuser = onPath('runuser');
  if (!runuser)
    throw new PostgresError(
      'running as root, PostgreSQL needs runuser to run as its own account: apt-get install util-linux',
    );
  for (const user of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (uid.status === 0) return { user, runuser, uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new PostgresError(
    `running as root and there is no postgres account for initdb to run as: ${INSTALL}`,
  );
}

function run(as: Account | undefined, cmd: string, args: string[]): string {
  const [file, argv] = as ? [as.runuser, ['-u', as.user, '--', cmd, ...args]] : [cmd, args];
  try {
    return execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new PostgresError(`${cmd} ${args[0]} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/** Where the server keeps its files, and how to reach it. */
export interface LocalPostgres {
  /** postgres://postgres@127.0.0.1:PORT/citygauge, without the password (nodes get it as PGPASSWORD). */
  url: string;
  password: string;
  /** The postmaster's process id. */
  pid: number;
}

const paths = (dir: string) => {
  const home = join(dir, 'pg');
  return {
    home,
    data: join(home, 'data'),
    log: join(home, 'server.log'),
    password: join(dir, 'pg.password'),
  };
};

/**
 * Start the server in DIR/pg (initdb on first start, the cluster reused after a `down`) on `port` and create
 * the database when it is missing.
 */
export async function startPostgres(dir: string, port: number): Promise<LocalPostgres> {
  preparePostgres(dir);
  const initdb = binary('initdb');
  const pgCtl = binary('pg_ctl');
  const as = runAs();
  const p = paths(dir);
  if (!existsSync(join(p.data, 'PG_VERSION'))) {
    const password = randomBytes(18).toString('base64url');
    writeFileSync(p.password, `${password}\n`, { mode: 0o600 });
    // initdb reads the password from a file its account can read; it goes once initdb has it.
    const pwfile = join(p.home, 'initdb.pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (as) chownSync(pwfile, as.uid, as.gid);
    try {
      run(as, initdb, [
        '-D',
        p.data,
        '-U',
        USER,
        '-A',
        'scram-sha-256',
        `--pwfile=${pwfile}`,
        '-E',
        'UTF8',
        '--locale=C',
      ]);
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  if (!existsSync(p.password))
    throw new PostgresError(
      `${p.password} is missing, so the database in ${p.data} cannot be opened: remove ${p.home} to start afresh`,
    );
  const password = readFileSync(p.password, 'utf8').trim();
  // Loopback TCP only: no Unix socket, whose path in a deep DIR could pass the 107-byte limit.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=100`;
  run(as, pgCtl, ['start', '-D', p.data, '-l', p.log, '-w', '-t', '60', '-o', options]);
  const pid = postmasterPid(dir);
  if (pid === undefined)
    throw new PostgresError(`pg_ctl started PostgreSQL but left no pid file in ${p.data}`);
  const admin = `postgres://${USER}:${password}@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } catch (err) {
    throw new PostgresError(
      `PostgreSQL on port ${port} started but cannot be used: ${(err as Error).message} (its log: ${p.log})`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  return { url: `postgres://${USER}@127.0.0.1:${port}/${DATABASE}`, password, pid };
}

/** The postmaster's pid, from its pid file; undefined when there is none. */
export function postmasterPid(dir: string): number | undefined {
  const file = join(paths(dir).data, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Stop the server in DIR/pg if it runs: pg_ctl's `fast` rolls back what is open and ends cleanly,
 * `immediate` after a failed start; SIGKILL when pg_ctl cannot.
 */
export function stopPostgres(dir: string, mode: 'fast' | 'immediate', warn: (line: string) => void): void {
  const pid = postmasterPid(dir);
  if (pid === undefined || !isRunning(pid)) return;
  try {
    run(runAs(), binary('pg_ctl'), ['stop', '-D', paths(dir).data, '-m', mode, '-w', '-t', '30']);
  } catch (err) {
    warn(`${(err as Error).message}: killing PostgreSQL (pid ${pid})`);
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
}
