// A real PostgreSQL for the tests: Debian's server binaries (initdb, pg_ctl) run a throwaway cluster in a
// temp dir on a free loopback port, trust authentication, one database per test file or test.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface TestPostgres {
  /** postgres://… of a fresh, empty database. */
  createDatabase(name?: string): Promise<string>;
  /** The server's admin connection URL (database `postgres`). */
  readonly adminUrl: string;
  stop(): Promise<void>;
}

const INSTALL = "install Debian's PostgreSQL server: apt-get install postgresql (initdb and pg_ctl)";

/** initdb and pg_ctl: on the PATH, or where Debian puts them (not on the PATH by default). */
function binary(name: 'initdb' | 'pg_ctl'): string {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const path = join(root, v, 'bin', name);
    if (existsSync(path)) return path;
  }
  throw new Error(`PostgreSQL's ${name} was not found: ${INSTALL}`);
}

/**
 * initdb refuses to run as root, and CI runs as root: the cluster then belongs to the `postgres` account
 * Debian's package creates (or `nobody`), and the server binaries run as it through runuser.
 */
function runAs(): { user: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (id.status === 0) return { user, uid: Number(id.stdout), gid: Number(gid.stdout) };
  }
  throw new Error('tests run as root and there is no postgres or nobody account for initdb to run as');
}

function run(as: ReturnType<typeof runAs>, cmd: string, args: string[]): void {
  const [file, argv] = as ? ['runuser', ['-u', as.user, '--', cmd, ...args]] : [cmd, args];
  try {
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new Error(`${cmd} ${args[0]} failed: ${e.stderr?.toString() || e.stdout?.toString() || e.message}`);
  }
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() > deadline)
        throw new Error(
          `PostgreSQL did not accept connections within ${timeoutMs} ms: ${(err as Error).message}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

let databases = 0;

/** Start a PostgreSQL cluster of its own; stop() removes it. */
export async function startPostgres(): Promise<TestPostgres> {
  const initdb = binary('initdb');
  const pgCtl = binary('pg_ctl');
  const as = runAs();
  // As root, under /tmp: a TMPDIR inside root's home is closed to the postgres account. The socket lives
  // in the same dir, and a socket path may not exceed 107 bytes.
  const dir = mkdtempSync(join(as && existsSync('/tmp') ? '/tmp' : tmpdir(), 'citygauge-pg-'));
  if (as) chownSync(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  // No fsync: a test cluster is thrown away, and fsync on a shared CI disk costs seconds per test file.
  run(as, initdb, ['-A', 'trust', '-U', 'postgres', '-D', data, '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  run(as, pgCtl, ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options]);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    try {
      run(as, pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    await waitReady(adminUrl, 30_000);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return {
    adminUrl,
    async createDatabase(name = `citygauge_${process.pid}_${++databases}`) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}
