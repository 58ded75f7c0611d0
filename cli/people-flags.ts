// The options of every command that serves the HTTP API to people (`start`, `engine --http-port`, `api`):
// how long sessions last, whether anyone may read without signing in, and the first start's admin account.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { parseDuration } from '../people/duration.js';
import { People } from '../people/people.js';
import { CliError } from './errors.js';
import { type DbFlag, openPeopleStore } from './open-registry.js';

export interface PeopleFlags extends DbFlag {
  sessionIdle: string;
  sessionMax: string;
  anonymousRead?: boolean;
}

export function addPeopleOptions(cmd: Command): Command {
  return cmd
    .option('--session-idle <duration>', 'a session nobody uses for this long ends (e.g. 30m, 1h)', '1h')
    .option('--session-max <duration>', 'every session ends this long after sign-in (e.g. 12h)', '12h')
    .option(
      '--anonymous-read',
      'let anyone read the indicators, the dashboard and the API without signing in, as a viewer (a city that publishes its figures)',
    );
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new CliError(
      `${flag} '${text}' is not a duration: use a number and m, h, d, w or y (e.g. 30m, 12h)`,
    );
  return ms;
}

/**
 * The city's people, with the session policy of the flags. On a city with no accounts yet, an `admin`
 * account is made and its one-time password returned, to print once beside the admin token.
 */
export async function openPeople(
  opts: PeopleFlags,
  log: Logger,
): Promise<{ people: People; firstAdminPassword?: string }> {
  const store = await openPeopleStore(opts);
  const people = new People(store, {
    sessions: {
      idleMs: duration('--session-idle', opts.sessionIdle),
      absoluteMs: duration('--session-max', opts.sessionMax),
    },
  });
  const firstAdminPassword = await people.ensureFirstAdmin();
  if (firstAdminPassword)
    log.info({ account: 'admin' }, 'first start: made the admin account with a one-time password');
  return { people, firstAdminPassword };
}

/** The banner's line for the first admin account. */
export function adminAccountLine(firstAdminPassword: string | undefined): string {
  return firstAdminPassword
    ? `  admin account  admin / ${firstAdminPassword}   (one-time password, shown once: choose your own at first sign-in)`
    : '  people         sign in at /signin; `citygauge users add NAME --role ROLE` adds an account';
}
