// `citygauge users add|list|set-role|disable|enable|reset`: the city's local accounts from the command line.
// Each change is audited by the People service as made by `cli:<os user>`.
import type { Command } from 'commander';
import { publicAccount } from '../people/people.js';
import type { Role } from '../people/roles.js';
import { registryTimeZone, shownAt } from './city-zone.js';
import { CliError } from './errors.js';
import { cliActor, withPeople } from './open-people.js';
import type { DbFlag } from './open-registry.js';
import { addPeopleOptions, ROLE_LIST, roleFlag } from './people-flags.js';
import { readStdin } from './read-stdin.js';
import { textTable } from './text-table.js';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const note = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** A one-time password alone on stdout (for a script to take), what to do with it on stderr. */
function handOver(name: string, password: string, where: string): void {
  say(password);
  note(
    `the one-time password of ${name} (${where}) is above and is not shown again: ${name} must choose a new one at first sign-in`,
  );
}

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description(`the people who sign in to the city and their roles: ${ROLE_LIST}`);

  addPeopleOptions(
    users
      .command('add')
      .description('add a local account; prints a one-time password unless --password-stdin gives one')
      .argument('<name>', 'the sign-in name: letters, digits and . _ @ -')
      .requiredOption('--role <role>', 'viewer, operator, engineer or admin', roleFlag)
      .option('--password-stdin', 'read the password from stdin (at least 12 characters)'),
  ).action(async (name: string, opts: DbFlag & { role: Role; passwordStdin?: boolean }) => {
    const password = opts.passwordStdin ? await readStdin() : undefined;
    if (password === '') throw new CliError('--password-stdin read nothing: pipe the password in');
    await withPeople(
      opts,
      async (people) => {
        const { oneTimePassword } = await people.addLocal(name, opts.role, cliActor(), password);
        if (oneTimePassword) handOver(name, oneTimePassword, `${opts.role}, ${people.store.path}`);
        else say(`added ${name} (${opts.role}) to ${people.store.path}`);
      },
      { create: true },
    );
  });

  addPeopleOptions(
    users
      .command('list')
      .description(
        "every account: role, source, disabled, must change password, last sign-in (the city's time)",
      )
      .option('--json', 'print JSON (times in UTC) instead of a table'),
  ).action(async (opts: DbFlag & { json?: boolean }) => {
    await withPeople(opts, async (people) => {
      const accounts = await people.accounts();
      if (opts.json) return say(JSON.stringify(accounts.map(publicAccount), null, 2));
      const zone = await registryTimeZone(opts);
      const yes = (b: boolean) => (b ? 'yes' : 'no');
      say(
        textTable(
          ['name', 'role', 'source', 'disabled', 'must change password', `last sign-in (${zone ?? 'UTC'})`],
          accounts.map((a) => [
            a.name,
            a.role,
            a.source,
            yes(a.disabled),
            yes(a.mustChangePassword),
            shownAt(a.lastSignInAt, zone),
          ]),
        ),
      );
    });
  });

  addPeopleOptions(
    users
      .command('set-role')
      .description("change a person's role; their sessions end, so it holds from their next request")
      .argument('<name>', 'the account')
      .argument('<role>', 'viewer, operator, engineer or admin', roleFlag),
  ).action(async (name: string, role: Role, opts: DbFlag) => {
    await withPeople(opts, async (people) => {
      const before = await people.account(name);
      await people.setRole(name, role, cliActor());
      say(`${name} is now ${role}${before && before.role !== role ? ` (was ${before.role})` : ''}`);
    });
  });

  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    addPeopleOptions(
      users
        .command(verb)
        .description(
          disabled
            ? 'stop an account signing in: its sessions end and its tokens stop working'
            : 'let a disabled account sign in again',
        )
        .argument('<name>', 'the account'),
    ).action(async (name: string, opts: DbFlag) => {
      await withPeople(opts, async (people) => {
        await people.setDisabled(name, disabled, cliActor());
        say(`${name} is ${disabled ? 'disabled' : 'enabled'}`);
      });
    });
  }

  addPeopleOptions(
    users
      .command('reset')
      .description("a new one-time password for a local account; the person's sessions end")
      .argument('<name>', 'the account'),
  ).action(async (name: string, opts: DbFlag) => {
    await withPeople(opts, async (people) => {
      handOver(name, await people.resetPassword(name, cliActor()), people.store.path);
    });
  });
}
