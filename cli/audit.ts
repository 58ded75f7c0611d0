// `citygauge audit verify|list`: the people's audit trail. verify walks the hash chain from its first entry
// and exits 1 naming the first entry edited, removed or inserted behind the store's back.
import { type Command, InvalidArgumentError } from 'commander';
import { type AuditEntry, ChainVerifier, GENESIS } from '../people/audit-chain.js';
import type { AuditFilter, PeopleStore } from '../people/people-store.js';
import { registryTimeZone, shownAt } from './city-zone.js';
import { CliError } from './errors.js';
import { wholeFlag } from './flags.js';
import { openPeopleStore } from './open-people.js';
import type { DbFlag } from './open-registry.js';
import { addPeopleOptions } from './people-flags.js';
import { progressBar } from './progress.js';
import { textTable } from './text-table.js';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function isoFlag(value: string): number {
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t))
    throw new InvalidArgumentError(
      `'${value}' is not an ISO-8601 time: use 2026-03-01 or 2026-03-01T08:00:00Z.`,
    );
  return t;
}

/** The chain from entry 1, checked as it streams past; throws a CliError naming the first broken entry. */
async function verifyChain(store: PeopleStore): Promise<{ entries: number; head: string }> {
  // The newest entry's number is the length of an intact chain: enough for the progress bar.
  const total = (await store.auditPage({ limit: 1 }))[0]?.seq ?? 0;
  const bar = progressBar('verifying the audit trail', total);
  const verifier = new ChainVerifier();
  let lastSeq = 0;
  try {
    for await (const entry of store.auditAll()) {
      const broken = verifier.add(entry);
      if (broken)
        throw new CliError(
          `audit trail broken at entry ${broken.seq}: ${broken.reason} (the ${broken.entries} entries before it verify)`,
        );
      lastSeq = entry.seq;
      if (lastSeq % 1000 === 0) bar.update(lastSeq);
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    // A row edited into something that is not even JSON cannot be read back: it is the break.
    throw new CliError(
      `audit trail broken at entry ${lastSeq + 1}: it cannot be read (${(err as Error).message}) (the ${lastSeq} entries before it verify)`,
    );
  } finally {
    bar.stop();
  }
  const r = verifier.result();
  return r.ok ? { entries: r.entries, head: r.head } : { entries: r.entries, head: GENESIS };
}

function entryRow(e: AuditEntry, zone: string | undefined): string[] {
  return [
    String(e.seq),
    shownAt(e.at, zone),
    e.actor,
    e.via,
    e.address ?? '',
    e.action,
    e.target ?? '',
    e.outcome,
  ];
}

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('the hash-chained audit trail of every change and sign-in');

  addPeopleOptions(
    audit
      .command('verify')
      .description(
        'walk the hash chain: exit 0 with its length and head hash, or 1 naming the first broken entry',
      ),
  ).action(async (opts: DbFlag) => {
    const store = await openPeopleStore(opts);
    try {
      const { entries, head } = await verifyChain(store);
      say(
        entries === 0
          ? `audit trail of ${store.path} is empty: nothing to verify`
          : `audit trail of ${store.path} verifies: ${entries} entries, head ${head}`,
      );
    } finally {
      await store.close();
    }
  });

  addPeopleOptions(
    audit
      .command('list')
      .description("entries, newest first, in the city's time")
      .option('--actor <name>', 'only what this actor did (an account, cli:<user>, admin-token, system)')
      .option('--action <action>', 'only this action (person.role) or area (person, token, signin)')
      .option('--since <iso>', 'only entries at or after this time', isoFlag)
      .option('--limit <n>', 'at most this many entries', wholeFlag(1, 100_000), 50)
      .option('--json', 'print JSON (every field, times in milliseconds) instead of a table'),
  ).action(
    async (
      opts: DbFlag & { actor?: string; action?: string; since?: number; limit: number; json?: boolean },
    ) => {
      const store = await openPeopleStore(opts);
      try {
        const filter: AuditFilter = {
          actor: opts.actor,
          action: opts.action,
          from: opts.since,
          limit: opts.limit,
        };
        const entries = await store.auditPage(filter);
        if (opts.json) return say(JSON.stringify(entries, null, 2));
        const zone = await registryTimeZone(opts);
        say(
          textTable(
            ['seq', `time (${zone ?? 'UTC'})`, 'actor', 'via', 'from', 'action', 'target', 'outcome'],
            entries.map((e) => entryRow(e, zone)),
          ),
        );
      } finally {
        await store.close();
      }
    },
  );
}
