// Where a command keeps the people of the city: `<data-dir>/people.sqlite` (the embedded default), or the
// PostgreSQL control plane every node of a cluster shares (`--db postgres://…`), beside the registry.
import { existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type Actor, People, PeopleError } from '../people/people.js';
import type { PeopleStore } from '../people/people-store.js';
import { PgPeople } from '../people/pg-people.js';
import { SqlitePeople } from '../people/sqlite-people.js';
import { ControlPlaneError } from '../registry/postgres.js';
import { CliError } from './errors.js';
import type { DbFlag } from './open-registry.js';

export const PEOPLE_FILE = 'people.sqlite';

/**
 * Open the people store of `--db` or `--data-dir`; a database that cannot be used stops the command with a
 * message naming the fix. `create` makes the data dir's people.sqlite when there is none (changes do;
 * reads of a data dir without one are a mistyped --data-dir).
 */
export async function openPeopleStore(opts: DbFlag, { create = false } = {}): Promise<PeopleStore> {
  if (opts.db) {
    try {
      return await PgPeople.open(opts.db);
    } catch (err) {
      throw err instanceof ControlPlaneError ? new CliError(err.message) : err;
    }
  }
  const file = join(opts.dataDir, PEOPLE_FILE);
  if (!create && !existsSync(file))
    throw new CliError(
      `no ${PEOPLE_FILE} in '${opts.dataDir}': check --data-dir (citygauge start creates it), or pass --db for a cluster`,
    );
  try {
    mkdirSync(opts.dataDir, { recursive: true });
    return await SqlitePeople.open(opts.dataDir);
  } catch (err) {
    throw new CliError(
      `cannot open ${file} (${(err as Error).message}): check --data-dir and its permissions`,
    );
  }
}

/** Who the audit trail says made a change from the command line: the operating system's user. */
export function cliActor(): Actor {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container may run as a uid with no passwd entry.
    user = process.env.USER ?? String(process.getuid?.() ?? 'unknown');
  }
  return { name: `cli:${user}`, role: null, via: 'cli', address: null };
}

/**
 * Run `work` on the People service of the store; refusals (unknown account, weak password, …) stop the
 * command with their message, and the store is closed either way.
 */
export async function withPeople<T>(
  opts: DbFlag,
  work: (people: People) => Promise<T>,
  open: { create?: boolean } = {},
): Promise<T> {
  const store = await openPeopleStore(opts, open);
  try {
    return await work(new People(store));
  } catch (err) {
    throw err instanceof PeopleError ? new CliError(err.message) : err;
  } finally {
    await store.close();
  }
}

/** Append what a command changed outside the People service (an import) to the audit trail. */
export async function auditCommand(
  opts: DbFlag,
  change: { action: string; target: string | null; after: unknown },
): Promise<void> {
  await withPeople(
    opts,
    (people) => people.record(cliActor(), change.action, change.target, null, change.after),
    { create: true },
  );
}
