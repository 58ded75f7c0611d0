// `citygauge tokens issue|list|revoke`: personal bearer tokens, each acting with its person's role. A token
// is printed once, when issued; the city keeps only its digest.
import type { Command } from 'commander';
import { PeopleError, publicToken } from '../people/people.js';
import { registryTimeZone, shownAt } from './city-zone.js';
import { CliError } from './errors.js';
import { cliActor, withPeople } from './open-people.js';
import type { DbFlag } from './open-registry.js';
import { addPeopleOptions, durationFlag } from './people-flags.js';
import { textTable } from './text-table.js';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description("personal bearer tokens for the API, acting with their person's role");

  addPeopleOptions(
    tokens
      .command('issue')
      .description('issue a token for a person and print it once')
      .argument('<name>', 'the account it acts for')
      .option(
        '--expires <duration>',
        'how long it lives: 12h, 30d, 1y (at most 10y), or never',
        durationFlag,
        'never',
      )
      .option('--label <text>', 'what it is for, shown in tokens list'),
  ).action(async (name: string, opts: DbFlag & { expires: number | 'never'; label?: string }) => {
    await withPeople(opts, async (people) => {
      const expiresInMs = opts.expires === 'never' ? undefined : opts.expires;
      const { token, record } = await people.issueToken(name, { expiresInMs, label: opts.label }, cliActor());
      const until =
        record.expiresAt === null ? 'never expires' : `expires ${new Date(record.expiresAt).toISOString()}`;
      say(token);
      process.stderr.write(
        `the token above (id ${record.id}) acts for ${name} and ${until}; it is not shown again: revoke it with citygauge tokens revoke ${record.id}\n`,
      );
    });
  });

  addPeopleOptions(
    tokens
      .command('list')
      .description(
        "tokens (never their secrets): id, person, label, created, expires, last used (the city's time)",
      )
      .argument('[name]', "only this person's")
      .option('--json', 'print JSON (times in UTC) instead of a table'),
  ).action(async (name: string | undefined, opts: DbFlag & { json?: boolean }) => {
    await withPeople(opts, async (people) => {
      if (name !== undefined && !(await people.account(name)))
        throw new PeopleError(`no account '${name}': see \`citygauge users list\``, 404);
      const list = await people.store.tokens(name);
      if (opts.json) return say(JSON.stringify(list.map(publicToken), null, 2));
      const zone = await registryTimeZone(opts);
      say(
        textTable(
          ['id', 'name', 'label', 'created', 'expires', 'last used'],
          list.map((t) => [
            t.id,
            t.name,
            t.label ?? '',
            shownAt(t.createdAt, zone),
            t.expiresAt === null ? 'never' : shownAt(t.expiresAt, zone),
            shownAt(t.lastUsedAt, zone),
          ]),
        ),
      );
    });
  });

  addPeopleOptions(
    tokens
      .command('revoke')
      .description('revoke a token: it stops working at once')
      .argument('<id>', 'the id tokens list shows (16 hex digits)'),
  ).action(async (id: string, opts: DbFlag) => {
    await withPeople(opts, async (people) => {
      if (!(await people.store.token(id)))
        throw new CliError(`no token '${id}': see \`citygauge tokens list\``);
      const record = await people.revokeToken(id, cliActor());
      say(`revoked token ${id} of ${record.name}`);
    });
  });
}
