// `citygauge users|tokens|audit` as an administrator runs them (dist/cli/main.js): accounts added with a
// chosen or a one-time password, roles changed, accounts disabled and reset, tokens issued and revoked, and
// `audit verify` exiting 1 and naming the entry once people.sqlite is edited behind its back.
import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../people/audit-chain.js';
import { People } from '../../people/people.js';
import { SqlitePeople } from '../../people/sqlite-people.js';
import { runCli } from '../support/cli.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { inventoryDir, tempDir } from '../support/tmp.js';

const PASSWORD = 'correct horse battery';
const ONE_TIME = /^([A-Za-z0-9_-]{20})\n$/;
const TOKEN = /^(cgt_([0-9a-f]{16})_[A-Za-z0-9_-]{32})\n$/;
const DAY = 86_400_000;

/** What the store holds, read as the running city would read it. */
async function withStore<T>(dataDir: string, work: (people: People) => Promise<T>): Promise<T> {
  const store = await SqlitePeople.open(dataDir);
  try {
    return await work(new People(store));
  } finally {
    await store.close();
  }
}

const trailOf = (dataDir: string) =>
  withStore(dataDir, async (people) => {
    const all: AuditEntry[] = [];
    for await (const e of people.store.auditAll()) all.push(e);
    return all;
  });

/** A copy of the data dir's people.sqlite (WAL included), to edit behind the command's back. */
function copyOf(dataDir: string): string {
  const copy = join(tempDir('citygauge-people-copy-'), 'data');
  mkdirSync(copy);
  const db = new Database(join(dataDir, 'people.sqlite'), { readonly: true });
  db.exec(`VACUUM INTO '${join(copy, 'people.sqlite')}'`);
  db.close();
  return copy;
}

describe('citygauge users, tokens and audit on people.sqlite', () => {
  const data = join(tempDir('citygauge-users-'), 'data');
  const dd = ['--data-dir', data];
  const me = `cli:${userInfo().username}`;
  let bobOnce = '';
  let tokenId = '';

  it('adds an account with a password read from stdin, and refuses a weak one with the reason', async () => {
    const added = await runCli(['users', 'add', 'ada', '--role', 'admin', '--password-stdin', ...dd], {
      input: `${PASSWORD}\n`,
    });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toBe(`added ada (admin) to ${join(data, 'people.sqlite')}\n`);
    expect(await withStore(data, (p) => p.signIn('ada', PASSWORD, null))).toMatchObject({
      ok: true,
      mustChangePassword: false,
    });

    const weak = await runCli(['users', 'add', 'weak', '--role', 'viewer', '--password-stdin', ...dd], {
      input: 'short\n',
    });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toBe('citygauge: the password has 5 characters: it needs at least 12\n');
  }, 60_000);

  it('prints a one-time password once, which must be changed at first sign-in', async () => {
    const r = await runCli(['users', 'add', 'bob', '--role', 'operator', ...dd]);
    expect(r.code).toBe(0);
    bobOnce = ONE_TIME.exec(r.stdout)?.[1] ?? '';
    expect(bobOnce, r.stdout).not.toBe('');
    expect(r.stderr).toMatch(/bob must choose a new one at first sign-in/);
    expect(await withStore(data, (p) => p.signIn('bob', bobOnce, '10.0.0.1'))).toMatchObject({
      ok: true,
      mustChangePassword: true,
    });
  }, 60_000);

  it('refuses an unknown role listing the roles, and an unknown account pointing at users list', async () => {
    const role = await runCli(['users', 'add', 'cy', '--role', 'boss', ...dd]);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(
      /Unknown role 'boss': the roles are viewer \(.+\), operator \(.+\), engineer/,
    );
    const nobody = await runCli(['users', 'set-role', 'zed', 'engineer', ...dd]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe("citygauge: no account 'zed': see `citygauge users list`\n");
  });

  it('lists accounts as a table and as JSON', async () => {
    const table = await runCli(['users', 'list', ...dd]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^name\s+role\s+source\s+disabled\s+must change password\s+last sign-in \(UTC\)$/,
    );
    expect(lines[2]).toMatch(/^ada\s+admin\s+local\s+no\s+no\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[3]).toMatch(/^bob\s+operator\s+local\s+no\s+yes\s+\d{4}-/);
    const json = await runCli(['users', 'list', '--json', ...dd]);
    expect(
      (JSON.parse(json.stdout) as Record<string, unknown>[]).map((a) => [
        a.name,
        a.role,
        a.disabled,
        a.mustChangePassword,
      ]),
    ).toEqual([
      ['ada', 'admin', false, false],
      ['bob', 'operator', false, true],
    ]);
  });

  it('changes a role, disables and enables an account, and resets a password', async () => {
    const role = await runCli(['users', 'set-role', 'bob', 'engineer', ...dd]);
    expect(role.stdout).toBe('bob is now engineer (was operator)\n');
    expect((await runCli(['users', 'disable', 'bob', ...dd])).stdout).toBe('bob is disabled\n');
    expect(await withStore(data, (p) => p.signIn('bob', bobOnce, null))).toMatchObject({
      ok: false,
      reason: 'the account is disabled: ask an administrator',
    });
    expect((await runCli(['users', 'enable', 'bob', ...dd])).stdout).toBe('bob is enabled\n');

    const reset = await runCli(['users', 'reset', 'bob', ...dd]);
    expect(reset.code).toBe(0);
    const next = ONE_TIME.exec(reset.stdout)?.[1] ?? '';
    expect(next).not.toBe('');
    expect(next).not.toBe(bobOnce);
    const [old, now] = await withStore(data, async (p) => [
      await p.signIn('bob', bobOnce, null),
      await p.signIn('bob', next, null),
    ]);
    expect(old.ok).toBe(false);
    expect(now).toMatchObject({ ok: true, mustChangePassword: true, account: { role: 'engineer' } });
  }, 60_000);

  it('issues a token printed once, lists it without its secret, and revokes it', async () => {
    const bad = await runCli(['tokens', 'issue', 'bob', '--expires', '30x', ...dd]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'30x' is not a duration: use .*12h, 30d or 1y/);

    const before = Date.now();
    const issued = await runCli(['tokens', 'issue', 'bob', '--expires', '30d', '--label', 'ci', ...dd]);
    expect(issued.code).toBe(0);
    const [, token, id] = TOKEN.exec(issued.stdout) ?? [];
    expect(token, issued.stdout).toBeDefined();
    tokenId = id;
    const held = await withStore(data, (p) => p.tokenAccount(token));
    expect(held?.account).toMatchObject({ name: 'bob', role: 'engineer' });
    expect(held?.token.expiresAt).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(held?.token.expiresAt).toBeLessThanOrEqual(Date.now() + 30 * DAY);

    const listed = await runCli(['tokens', 'list', 'bob', '--json', ...dd]);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id, name: 'bob', label: 'ci' }]);
    expect(listed.stdout).not.toContain(token.slice(21));
    const table = await runCli(['tokens', 'list', ...dd]);
    expect(table.stdout).toMatch(new RegExp(`\\n${id}\\s+bob\\s+ci\\s+`));

    const nobody = await runCli(['tokens', 'revoke', '0123456789abcdef', ...dd]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/no token '0123456789abcdef': see `citygauge tokens list`/);
    const revoked = await runCli(['tokens', 'revoke', id, ...dd]);
    expect(revoked.stdout).toBe(`revoked token ${id} of bob\n`);
    expect(await withStore(data, (p) => p.tokenAccount(token))).toBeUndefined();
    expect(JSON.parse((await runCli(['tokens', 'list', '--json', ...dd])).stdout)).toEqual([]);
  }, 60_000);

  it('audits every change as the operating system user, and audit verify exits 0 with the count and head', async () => {
    const trail = await trailOf(data);
    const byCli = trail.filter((e) => e.via === 'cli');
    expect(byCli.map((e) => [e.actor, e.action, e.target])).toEqual([
      [me, 'person.add', 'ada'],
      [me, 'person.add', 'bob'],
      [me, 'person.role', 'bob'],
      [me, 'person.disable', 'bob'],
      [me, 'person.enable', 'bob'],
      [me, 'person.reset', 'bob'],
      [me, 'token.issue', 'bob'],
      [me, 'token.revoke', 'bob'],
    ]);
    expect(byCli[6].after).toMatchObject({ id: tokenId, label: 'ci' });

    const verified = await runCli(['audit', 'verify', ...dd]);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toBe(
      `audit trail of ${join(data, 'people.sqlite')} verifies: ${trail.length} entries, head ${trail[trail.length - 1].hash}\n`,
    );

    const listed = await runCli([
      'audit',
      'list',
      '--action',
      'person',
      '--actor',
      me,
      '--limit',
      '3',
      '--json',
      ...dd,
    ]);
    expect((JSON.parse(listed.stdout) as AuditEntry[]).map((e) => e.action)).toEqual([
      'person.reset',
      'person.enable',
      'person.disable',
    ]);
    const table = await runCli(['audit', 'list', '--action', 'token', ...dd]);
    expect(table.stdout.split('\n').slice(2, 4)).toEqual([
      expect.stringMatching(new RegExp(`^\\d+\\s+\\S+\\s+${me}\\s+cli\\s+token\\.revoke\\s+bob\\s+ok$`)),
      expect.stringMatching(new RegExp(`^\\d+\\s+\\S+\\s+${me}\\s+cli\\s+token\\.issue\\s+bob\\s+ok$`)),
    ]);
  }, 60_000);

  it('exits 1 naming the entry whose text was edited behind its back', async () => {
    const edited = copyOf(data);
    const db = new Database(join(edited, 'people.sqlite'));
    const { seq } = db.prepare("SELECT seq FROM audit WHERE action = 'person.role'").get() as { seq: number };
    // The role change now claims bob was made an admin.
    const after = JSON.parse(
      (db.prepare('SELECT after FROM audit WHERE seq = ?').get(seq) as { after: string }).after,
    );
    db.prepare('UPDATE audit SET after = ? WHERE seq = ?').run(
      JSON.stringify({ ...after, role: 'admin' }),
      seq,
    );
    db.close();
    const r = await runCli(['audit', 'verify', '--data-dir', edited]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `citygauge: audit trail broken at entry ${seq}: entry ${seq} was changed after it was written: its hash does not match (the ${seq - 1} entries before it verify)\n`,
    );
  });

  it('exits 1 naming the entry deleted behind its back', async () => {
    const cut = copyOf(data);
    const db = new Database(join(cut, 'people.sqlite'));
    const { seq } = db.prepare("SELECT seq FROM audit WHERE action = 'person.disable'").get() as {
      seq: number;
    };
    db.prepare('DELETE FROM audit WHERE seq = ?').run(seq);
    db.close();
    const r = await runCli(['audit', 'verify', '--data-dir', cut]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^citygauge: audit trail broken at entry ${seq}: entry ${seq} is missing`),
    );
    // The untouched original still verifies.
    expect((await runCli(['audit', 'verify', ...dd])).code).toBe(0);
  });

  it('records an inventory import in the audit trail, as the operating system user who ran it', async () => {
    const city = inventoryDir({ 'city.json': '{"name":"Tiny","timeZone":"Europe/Oslo"}' });
    expect((await runCli(['import', city, ...dd])).code).toBe(0);
    const listed = await runCli(['audit', 'list', '--action', 'inventory', '--json', ...dd]);
    const [entry] = JSON.parse(listed.stdout) as { actor: string; via: string; target: string }[];
    expect(entry).toMatchObject({ actor: `cli:${userInfo().username}`, via: 'cli', target: city });
    expect((await runCli(['audit', 'verify', ...dd])).code).toBe(0);
  }, 60_000);

  it("shows times in the city's time zone once the registry beside it names one", async () => {
    const city = inventoryDir({ 'city.json': '{"name":"Tiny","timeZone":"Asia/Tokyo"}' });
    expect((await runCli(['import', city, ...dd])).code).toBe(0);
    const table = await runCli(['users', 'list', ...dd]);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/last sign-in \(Asia\/Tokyo\)$/);
    // Tokyo is UTC+9 all year: the same instant as the ISO time the JSON gives.
    const ada = (
      JSON.parse((await runCli(['users', 'list', '--json', ...dd])).stdout) as { lastSignInAt: string }[]
    )[0];
    const t = new Date(Date.parse(ada.lastSignInAt) + 9 * 3_600_000).toISOString();
    expect(lines[2]).toMatch(
      new RegExp(`^ada\\s+admin\\s+local\\s+no\\s+no\\s+${t.slice(0, 10)} ${t.slice(11, 16)} GMT\\+9$`),
    );
  }, 60_000);

  it('names --data-dir when there is no people.sqlite to read', async () => {
    const r = await runCli(['audit', 'verify', '--data-dir', tempDir('citygauge-empty-')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no people\.sqlite in '.+': check --data-dir/);
  });
});

describe('citygauge users and audit with --db', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it('keeps the accounts and the audit trail in PostgreSQL', async () => {
    const db = ['--db', await server.createDatabase()];
    const added = await runCli(['users', 'add', 'ada', '--role', 'engineer', ...db]);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(ONE_TIME);
    expect((await runCli(['users', 'set-role', 'ada', 'viewer', ...db])).code).toBe(0);
    const json = await runCli(['users', 'list', '--json', ...db]);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { name: 'ada', role: 'viewer', mustChangePassword: true },
    ]);
    const verified = await runCli(['audit', 'verify', ...db]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/verifies: 2 entries, head [0-9a-f]{64}\n$/);
  }, 60_000);

  it('names the fix when the database cannot be reached', async () => {
    const r = await runCli(['users', 'list', '--db', 'postgres://citygauge@127.0.0.1:1/nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^citygauge: cannot reach PostgreSQL at .+: check --db, that the server runs/);
  });
});
