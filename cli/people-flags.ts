// The flags of the people commands (users, tokens, audit), checked where commander reads them: a role or a
// duration it cannot use stops the command with exit code 2 and what it accepts.
import { type Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../people/duration.js';
import { isRole, ROLE_GRANTS, ROLES, type Role } from '../people/roles.js';

/** `--data-dir` and `--db`, as every people command takes them. */
export function addPeopleOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'where people.sqlite lives', './data')
    .option(
      '--db <url>',
      'the people of this PostgreSQL control plane (postgres://user:password@host:5432/db), shared by every node, instead of --data-dir',
    );
}

/** The roles and what each adds, for help and refusals. */
export const ROLE_LIST = ROLES.map((r) => `${r} (${ROLE_GRANTS[r]})`).join(', ');

export function roleFlag(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError(`Unknown role '${value}': the roles are ${ROLE_LIST}.`);
  return value;
}

/** `--expires 30d`: milliseconds; `never` for a token that lives until revoked. */
export function durationFlag(value: string): number | 'never' {
  if (value === 'never') return value;
  const d = parseDuration(value);
  if (!d.ok) throw new InvalidArgumentError(`${d.reason[0].toUpperCase()}${d.reason.slice(1)}, or never.`);
  return d.ms;
}
