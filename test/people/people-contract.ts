// What the People service promises on either store (people.sqlite and PostgreSQL), run by
// people.test.ts and pg-people.test.ts over a fresh store per case and a clock the test moves by hand.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditEntry, ChainVerifier } from '../../people/audit-chain.js';
import { type Actor, People, PeopleError } from '../../people/people.js';
import type { PeopleStore } from '../../people/people-store.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PASSWORD = 'correct horse battery';
const CLI: Actor = { name: 'cli:tester', role: null, via: 'cli', address: null };
const ADA: Actor = { name: 'ada', role: 'admin', via: 'session', address: '10.1.0.1' };

/** Each case starts on an empty store; `open` makes one, the contract closes it. */
export function peopleStoreContract(open: () => Promise<PeopleStore>): void {
  let store: PeopleStore;
  let people: People;
  let now = T0;
  const advance = (ms: number) => {
    now += ms;
  };

  beforeEach(async () => {
    now = T0;
    store = await open();
    people = new People(store, { now: () => now });
  });
  afterEach(async () => {
    await store.close();
  });

  const trail = async () => {
    const all: AuditEntry[] = [];
    for await (const e of store.auditAll()) all.push(e);
    return all;
  };
  const expectPeopleError = async (work: Promise<unknown>, status: number, message: RegExp) => {
    const err = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PeopleError);
    expect((err as PeopleError).status).toBe(status);
    expect((err as PeopleError).message).toMatch(message);
  };

  describe('sign-in throttling', () => {
    it('refuses an account after 5 wrong passwords in a minute, even the right one from another address, until the minute is over', async () => {
      await people.addLocal('bob', 'operator', CLI, PASSWORD);
      for (let i = 0; i < 5; i++) {
        expect(await people.signIn('bob', `wrong password ${i}`, '10.0.0.1')).toEqual({
          ok: false,
          reason: 'wrong account name or password',
          retryAfterS: undefined,
        });
        advance(5_000);
      }
      // The first failure was at T0, so the minute ends 60 − 25 = 35 s from now.
      const refused = await people.signIn('bob', PASSWORD, '10.0.0.2');
      expect(refused).toEqual({
        ok: false,
        reason: 'too many wrong passwords: try again in 35 s',
        retryAfterS: 35,
      });
      advance(34_000);
      expect((await people.signIn('bob', PASSWORD, '10.0.0.2')).ok).toBe(false);
      advance(1_000);
      const allowed = await people.signIn('bob', PASSWORD, '10.0.0.2');
      expect(allowed.ok).toBe(true);

      const signIns = (await trail()).filter((e) => e.action.startsWith('signin'));
      expect(signIns.map((e) => [e.action, e.actor, e.target, e.address, e.outcome])).toEqual([
        ...Array.from({ length: 5 }, () => ['signin.refused', 'bob', 'bob', '10.0.0.1', 'refused']),
        ['signin.refused', 'bob', 'bob', '10.0.0.2', 'refused'],
        ['signin.refused', 'bob', 'bob', '10.0.0.2', 'refused'],
        ['signin', 'bob', 'bob', '10.0.0.2', 'ok'],
      ]);
      expect(signIns[5].after).toEqual({ reason: 'too many wrong passwords: try again in 35 s' });
      expect(signIns[7].role).toBe('operator');
    }, 60_000);

    it('refuses an address after 5 wrong passwords for different accounts, for every account, until the minute is over', async () => {
      await people.addLocal('bob', 'operator', CLI, PASSWORD);
      await people.addLocal('cy', 'viewer', CLI, PASSWORD);
      for (const name of ['bob', 'cy', 'dee', 'eve', 'fay']) {
        expect((await people.signIn(name, 'a guessed password', '10.0.0.9')).ok).toBe(false);
        advance(1_000);
      }
      expect(await people.signIn('cy', PASSWORD, '10.0.0.9')).toMatchObject({ ok: false, retryAfterS: 55 });
      // One failure each is far from the accounts' own limit: from elsewhere they sign in.
      expect((await people.signIn('bob', PASSWORD, '10.0.0.10')).ok).toBe(true);
      advance(55_000);
      expect((await people.signIn('cy', PASSWORD, '10.0.0.9')).ok).toBe(true);
    }, 60_000);
  });

  describe('sessions', () => {
    const signedIn = async (name = 'bob') => {
      if (!(await store.account(name))) await people.addLocal(name, 'operator', CLI, PASSWORD);
      return people.startSession(name, 'local', '10.0.0.1');
    };

    it('ends a session idle for more than an hour; each use keeps it going', async () => {
      const { cookie, session } = await signedIn();
      advance(59 * MINUTE);
      expect((await people.sessionOf(cookie))?.account.name).toBe('bob');
      advance(59 * MINUTE);
      expect((await people.sessionOf(cookie))?.session.digest).toBe(session.digest);
      advance(HOUR + 1);
      expect(await people.sessionOf(cookie)).toBeUndefined();
      expect(await store.session(session.digest)).toBeUndefined();
    }, 30_000);

    it('ends a session twelve hours after sign-in however busy it was', async () => {
      const { cookie } = await signedIn();
      for (let i = 0; i < 23; i++) {
        advance(30 * MINUTE);
        expect(await people.sessionOf(cookie), `after ${(i + 1) * 30} min`).toBeDefined();
      }
      advance(31 * MINUTE);
      expect(await people.sessionOf(cookie)).toBeUndefined();
    }, 30_000);

    it('keeps only the digest of the cookie and rotates it at sign-in: the old cookie no longer works', async () => {
      const first = await signedIn();
      expect(first.session.digest).not.toBe(first.cookie);
      expect(JSON.stringify(await store.session(first.session.digest))).not.toContain(first.cookie);
      const second = await people.startSession('bob', 'local', '10.0.0.1', first.cookie);
      expect(second.cookie).not.toBe(first.cookie);
      expect(await people.sessionOf(first.cookie)).toBeUndefined();
      expect((await people.sessionOf(second.cookie))?.account.name).toBe('bob');
    }, 30_000);

    it('ends every session of a person whose role changes, who is disabled, or whose password is reset', async () => {
      const a = await signedIn();
      const b = await people.startSession('bob', 'local', '10.0.0.2');
      const other = await signedIn('cy');
      await people.setRole('bob', 'engineer', ADA);
      expect(await people.sessionOf(a.cookie)).toBeUndefined();
      expect(await people.sessionOf(b.cookie)).toBeUndefined();
      expect((await people.sessionOf(other.cookie))?.account.name).toBe('cy');

      const c = await people.startSession('bob', 'local', '10.0.0.1');
      expect((await people.sessionOf(c.cookie))?.account.role).toBe('engineer');
      await people.setDisabled('bob', true, ADA);
      expect(await people.sessionOf(c.cookie)).toBeUndefined();
      expect(await people.signIn('bob', PASSWORD, '10.0.0.1')).toMatchObject({
        ok: false,
        reason: 'the account is disabled: ask an administrator',
      });

      await people.setDisabled('bob', false, ADA);
      const d = await people.startSession('bob', 'local', '10.0.0.1');
      await people.resetPassword('bob', ADA);
      expect(await people.sessionOf(d.cookie)).toBeUndefined();
    }, 60_000);
  });

  describe('personal tokens', () => {
    beforeEach(async () => {
      await people.addLocal('bob', 'operator', CLI, PASSWORD);
    }, 30_000);

    it("acts with its person's current role until it expires", async () => {
      const { token, record } = await people.issueToken('bob', { expiresInMs: HOUR, label: 'ci' }, ADA);
      expect(token.startsWith(`cgt_${record.id}_`)).toBe(true);
      expect(record.expiresAt).toBe(T0 + HOUR);
      expect(JSON.stringify(await store.token(record.id))).not.toContain(token.slice(21));
      expect((await people.tokenAccount(token))?.account.role).toBe('operator');
      await people.setRole('bob', 'engineer', ADA);
      advance(HOUR - 1);
      expect((await people.tokenAccount(token))?.account.role).toBe('engineer');
      advance(1);
      expect(await people.tokenAccount(token)).toBeUndefined();
    });

    it('stops working once revoked, and a token with a wrong secret never works', async () => {
      const { token, record } = await people.issueToken('bob', {}, ADA);
      expect(record.expiresAt).toBeNull();
      const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      expect(await people.tokenAccount(forged)).toBeUndefined();
      expect((await people.tokenAccount(token))?.token.id).toBe(record.id);
      await people.revokeToken(record.id, ADA);
      expect(await people.tokenAccount(token)).toBeUndefined();
      expect(await store.tokens('bob')).toEqual([]);
      await expectPeopleError(people.revokeToken(record.id, ADA), 404, /no token/);
    });

    it("refuses a disabled person's token, and issues none to them, until they are enabled again", async () => {
      const { token } = await people.issueToken('bob', {}, ADA);
      await people.setDisabled('bob', true, ADA);
      expect(await people.tokenAccount(token)).toBeUndefined();
      await expectPeopleError(people.issueToken('bob', {}, ADA), 409, /disabled/);
      await people.setDisabled('bob', false, ADA);
      expect((await people.tokenAccount(token))?.account.name).toBe('bob');
    });

    it('refuses a token for nobody, naming where to look', async () => {
      await expectPeopleError(people.issueToken('zed', {}, ADA), 404, /citygauge users list/);
    });
  });

  describe('passwords', () => {
    it('hands out a one-time password that must be changed at first sign-in, and only with the current one', async () => {
      const { account, oneTimePassword } = await people.addLocal('cy', 'viewer', ADA);
      expect(oneTimePassword).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(account.mustChangePassword).toBe(true);
      expect(await people.signIn('cy', oneTimePassword as string, '10.0.0.3')).toMatchObject({
        ok: true,
        mustChangePassword: true,
      });
      const cy: Actor = { name: 'cy', role: 'viewer', via: 'session', address: '10.0.0.3' };
      await expectPeopleError(
        people.changePassword('cy', 'not the current one', 'a brand new passphrase', cy),
        403,
        /^the current password is wrong$/,
      );
      expect((await store.account('cy'))?.mustChangePassword).toBe(true);
      await expectPeopleError(people.changePassword('cy', oneTimePassword as string, 'short', cy), 400, /12/);
      await people.changePassword('cy', oneTimePassword as string, 'a brand new passphrase', cy);
      expect((await store.account('cy'))?.mustChangePassword).toBe(false);
      expect((await people.signIn('cy', oneTimePassword as string, '10.0.0.3')).ok).toBe(false);
      expect(await people.signIn('cy', 'a brand new passphrase', '10.0.0.3')).toMatchObject({
        ok: true,
        mustChangePassword: false,
      });
    }, 60_000);

    it('refuses a weak password or a bad name when adding an account, and the same name twice', async () => {
      await expectPeopleError(
        people.addLocal('dee', 'viewer', ADA, 'short'),
        400,
        /^the password has 5 characters: it needs at least 12$/,
      );
      await expectPeopleError(
        people.addLocal('dee', 'viewer', ADA, 'dee-and-more-letters'),
        400,
        /account name/,
      );
      await expectPeopleError(
        people.addLocal('no spaces', 'viewer', ADA, PASSWORD),
        400,
        /not an account name/,
      );
      await people.addLocal('dee', 'viewer', ADA, PASSWORD);
      await expectPeopleError(people.addLocal('dee', 'admin', ADA, PASSWORD), 409, /exists already/);
      expect(await store.accounts()).toHaveLength(1);
    }, 30_000);
  });

  describe('the audit trail', () => {
    it('records who changed what, from where, before and after, never a password hash or a secret, in a chain that verifies', async () => {
      const { oneTimePassword } = await people.addLocal('bob', 'operator', ADA);
      advance(1_000);
      await people.setRole('bob', 'engineer', ADA);
      advance(1_000);
      await people.setDisabled('bob', true, CLI);
      await people.setDisabled('bob', false, CLI);
      const once = await people.resetPassword('bob', ADA);
      const { token, record } = await people.issueToken('bob', { expiresInMs: HOUR }, ADA);
      await people.revokeToken(record.id, ADA);
      await people.signIn('bob', 'not the password', '10.0.0.7');
      await people.signIn('bob', once, '10.0.0.7');

      const all = await trail();
      expect(all.map((e) => [e.seq, e.actor, e.via, e.address, e.action, e.target, e.outcome])).toEqual([
        [1, 'ada', 'session', '10.1.0.1', 'person.add', 'bob', 'ok'],
        [2, 'ada', 'session', '10.1.0.1', 'person.role', 'bob', 'ok'],
        [3, 'cli:tester', 'cli', null, 'person.disable', 'bob', 'ok'],
        [4, 'cli:tester', 'cli', null, 'person.enable', 'bob', 'ok'],
        [5, 'ada', 'session', '10.1.0.1', 'person.reset', 'bob', 'ok'],
        [6, 'ada', 'session', '10.1.0.1', 'token.issue', 'bob', 'ok'],
        [7, 'ada', 'session', '10.1.0.1', 'token.revoke', 'bob', 'ok'],
        [8, 'bob', 'session', '10.0.0.7', 'signin.refused', 'bob', 'refused'],
        [9, 'bob', 'session', '10.0.0.7', 'signin', 'bob', 'ok'],
      ]);
      expect(all.map((e) => e.at)).toEqual([T0, T0 + 1_000, ...Array(7).fill(T0 + 2_000)]);
      expect(all[0].role).toBe('admin');
      expect(all[0].before).toBeNull();
      expect(all[0].after).toMatchObject({ name: 'bob', role: 'operator', mustChangePassword: true });
      expect(all[1].before).toMatchObject({ role: 'operator' });
      expect(all[1].after).toMatchObject({ role: 'engineer' });
      expect([all[2].before, all[2].after]).toMatchObject([{ disabled: false }, { disabled: true }]);
      expect(all[5].after).toMatchObject({
        id: record.id,
        expiresAt: new Date(T0 + 2_000 + HOUR).toISOString(),
      });
      expect(all[6].before).toMatchObject({ id: record.id });
      expect(all[6].after).toBeNull();

      const text = JSON.stringify(all);
      for (const secret of ['$scrypt$', 'passwordHash', 'password_hash', 'digest', token, token.slice(21)])
        expect(text).not.toContain(secret);
      for (const pw of [oneTimePassword as string, once, 'not the password']) expect(text).not.toContain(pw);

      const v = new ChainVerifier();
      for (const e of all) expect(v.add(e)).toBeUndefined();
      expect(v.result()).toEqual({ ok: true, entries: 9, head: all[8].hash });
      // Listed newest first, by area.
      const changes = await store.auditPage({ action: 'person', limit: 10 });
      expect(changes.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
      expect((await store.auditPage({ actor: 'cli:tester', limit: 10 })).map((e) => e.action)).toEqual([
        'person.enable',
        'person.disable',
      ]);
    }, 60_000);
  });

  describe('an administrator and a person at the same moment', () => {
    const NEW = 'another long passphrase';
    const bob: Actor = { name: 'bob', role: 'operator', via: 'session', address: '10.0.0.9' };
    beforeEach(async () => {
      await people.addLocal('bob', 'operator', CLI, PASSWORD);
    }, 30_000);

    it('keeps a disable made while a sign-in checks the password, and refuses that sign-in', async () => {
      const signingIn = people.signIn('bob', PASSWORD, '10.0.0.9');
      await people.setDisabled('bob', true, ADA);
      expect(await signingIn).toMatchObject({
        ok: false,
        reason: 'the account is disabled: ask an administrator',
      });
      expect((await store.account('bob'))?.disabled).toBe(true);
    }, 60_000);

    it('keeps a role change made while a new password hashes', async () => {
      const changing = people.changePassword('bob', PASSWORD, NEW, bob);
      await people.setRole('bob', 'viewer', ADA);
      await changing;
      expect((await store.account('bob'))?.role).toBe('viewer');
      expect((await people.signIn('bob', NEW, '10.0.0.9')).ok).toBe(true);
    }, 60_000);

    it('ends every other session of a person who changes their password', async () => {
      const other = await people.startSession('bob', 'local', '10.0.0.8');
      await people.changePassword('bob', PASSWORD, NEW, bob);
      expect(await people.sessionOf(other.cookie)).toBeUndefined();
    }, 60_000);

    it('throttles and records wrong current passwords at a password change, as wrong sign-ins are', async () => {
      for (let i = 0; i < 5; i++)
        await expectPeopleError(people.changePassword('bob', `wrong ${i}`, NEW, bob), 403, /wrong/);
      await expectPeopleError(
        people.changePassword('bob', PASSWORD, NEW, bob),
        429,
        /^too many wrong passwords: try again in \d+ s$/,
      );
      const refused = (await trail()).filter(
        (e) => e.action === 'person.password' && e.outcome === 'refused',
      );
      expect(refused.map((e) => [e.actor, e.address])).toEqual(Array(5).fill(['bob', '10.0.0.9']));
      advance(MINUTE);
      await people.changePassword('bob', PASSWORD, NEW, bob);
    }, 120_000);
  });
}
