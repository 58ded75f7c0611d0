// The people who use citygauge (issue 12) and what they may do: accounts with roles, password sign-in
// throttled per account and per address, sessions with idle and absolute timeouts, personal tokens, and
// an audit entry for every change made to any of them, and for every sign-in, refused or not.
import { LoginThrottle } from '../broker/login-throttle.js';
import type { AuditDraft, AuditEntry, AuditVia } from './audit-chain.js';
import { accountNameProblem } from './names.js';
import { hashPassword, needsRehash, oneTimePassword, passwordProblem, verifyPassword } from './password.js';
import type { Account, PeopleStore, PersonalToken, Session } from './people-store.js';
import type { Role } from './roles.js';
import { publicAccount, publicToken } from './views.js';

export { publicAccount, publicToken } from './views.js';

import {
  newCsrfToken,
  newPersonalToken,
  newSessionSecret,
  parsePersonalToken,
  sameDigest,
  sha256Hex,
} from './secrets.js';

/** Who is acting, as the audit trail records it. */
export interface Actor {
  name: string;
  role: Role | null;
  via: AuditVia;
  address: string | null;
}

export interface SessionPolicy {
  /** A session nobody used for this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not: a shift, then sign in again. */
  absoluteMs: number;
}

/** One hour idle, twelve hours in all (an operations centre's shift). */
export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 3_600_000, absoluteMs: 12 * 3_600_000 };
/** Wrong passwords per account, and per address, per minute. */
export const SIGN_IN_FAILURES_PER_MINUTE = 5;
/** How often a session's or token's last use is written: not on every request. */
const TOUCH_EVERY_MS = 60_000;

/** A refusal the caller can act on; `status` is what the HTTP API answers. */
export class PeopleError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 429,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

export type SignIn =
  | { ok: true; account: Account; mustChangePassword: boolean }
  | { ok: false; reason: string; retryAfterS?: number };

export interface PeopleOptions {
  now?: () => number;
  sessions?: SessionPolicy;
  /** Told of every audit entry once stored (metrics, the dashboard's audit page, MQTT). */
  onAudit?: ((entry: AuditEntry) => void)[];
}

export class People {
  readonly now: () => number;
  readonly sessions: SessionPolicy;
  private readonly throttle = new LoginThrottle(SIGN_IN_FAILURES_PER_MINUTE);
  /** Told of every audit entry once stored (a list: the dashboard's recheck, metrics, …). */
  readonly onAudit: ((entry: AuditEntry) => void)[];
  private prunedAt = 0;

  constructor(
    readonly store: PeopleStore,
    opts: PeopleOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.sessions = opts.sessions ?? DEFAULT_SESSION_POLICY;
    this.onAudit = opts.onAudit ?? [];
  }

  /** Append to the audit trail. */
  async audit(draft: AuditDraft): Promise<AuditEntry> {
    const entry = await this.store.appendAudit(draft, this.now());
    for (const hook of this.onAudit) hook(entry);
    return entry;
  }

  /** Append a change `by` made (the HTTP API's writes, the command line's imports, and People's own). */
  record(
    by: Actor,
    action: string,
    target: string | null,
    before: unknown,
    after: unknown,
    outcome: AuditDraft['outcome'] = 'ok',
  ) {
    const { name: actor, role, via, address } = by;
    return this.audit({ actor, role, via, address, action, target, before, after, outcome });
  }

  // ---- accounts ------------------------------------------------------------------------------------

  /**
   * A local account. Without a password it gets a one-time password, returned to be handed over once,
   * which must be changed at the first sign-in.
   */
  async addLocal(
    name: string,
    role: Role,
    by: Actor,
    password?: string,
  ): Promise<{ account: Account; oneTimePassword?: string }> {
    const bad =
      accountNameProblem(name) ?? (password !== undefined ? passwordProblem(password, name) : undefined);
    if (bad) throw new PeopleError(bad, 400);
    const once = password === undefined ? oneTimePassword() : undefined;
    const now = this.now();
    const account: Account = {
      name,
      role,
      source: 'local',
      passwordHash: await hashPassword(password ?? (once as string)),
      mustChangePassword: once !== undefined,
      disabled: false,
      oidcSubject: null,
      createdAt: now,
      updatedAt: now,
      lastSignInAt: null,
    };
    if (!(await this.store.createAccount(account)))
      throw new PeopleError(`an account '${name}' exists already`, 409);
    await this.record(by, 'person.add', name, null, publicAccount(account));
    return { account, oneTimePassword: once };
  }

  async account(name: string): Promise<Account | undefined> {
    return this.store.account(name);
  }

  async accounts(): Promise<Account[]> {
    return this.store.accounts();
  }

  private async existing(name: string): Promise<Account> {
    const account = await this.store.account(name);
    if (!account) throw new PeopleError(`no account '${name}': see \`citygauge users list\``, 404);
    return account;
  }

  /**
   * Refuses a change that would leave no enabled admin: people would then be managed with the break-glass
   * token only. (Two admins demoting each other at the same instant can still both succeed.)
   */
  private async keepAnAdmin(before: Account, after: Account): Promise<void> {
    const wasAdmin = before.role === 'admin' && !before.disabled;
    const staysAdmin = after.role === 'admin' && !after.disabled;
    if (!wasAdmin || staysAdmin) return;
    const others = (await this.store.accounts()).filter(
      (a) => a.name !== before.name && a.role === 'admin' && !a.disabled,
    );
    if (others.length === 0)
      throw new PeopleError(
        `'${before.name}' is the last enabled admin: make another admin first (citygauge users set-role NAME admin)`,
        409,
      );
  }

  /** Change a role; the person's sessions end, so the new role holds from their next request. */
  async setRole(name: string, role: Role, by: Actor): Promise<Account> {
    const before = await this.existing(name);
    const after = { ...before, role, updatedAt: this.now() };
    await this.keepAnAdmin(before, after);
    await this.store.putAccount(after);
    if (before.role !== role) await this.store.deleteSessionsOf(name);
    await this.record(by, 'person.role', name, publicAccount(before), publicAccount(after));
    return after;
  }

  /** Disable (or enable again) an account: its sessions end and its tokens stop working. */
  async setDisabled(name: string, disabled: boolean, by: Actor): Promise<Account> {
    const before = await this.existing(name);
    const after = { ...before, disabled, updatedAt: this.now() };
    await this.keepAnAdmin(before, after);
    await this.store.putAccount(after);
    if (disabled) await this.store.deleteSessionsOf(name);
    await this.record(
      by,
      disabled ? 'person.disable' : 'person.enable',
      name,
      publicAccount(before),
      publicAccount(after),
    );
    return after;
  }

  /** A new one-time password for a local account; its sessions end. */
  async resetPassword(name: string, by: Actor): Promise<string> {
    const before = await this.existing(name);
    if (before.source !== 'local')
      throw new PeopleError(`'${name}' signs in at the identity provider: reset the password there`, 409);
    const once = oneTimePassword();
    const after = {
      ...before,
      passwordHash: await hashPassword(once),
      mustChangePassword: true,
      updatedAt: this.now(),
    };
    await this.store.putAccount(after);
    await this.store.deleteSessionsOf(name);
    await this.record(by, 'person.reset', name, publicAccount(before), publicAccount(after));
    return once;
  }

  /**
   * The person chooses a new password, knowing the current one (the one-time one, at first sign-in). Wrong
   * current passwords are throttled and audited as wrong sign-ins are; every other session of theirs ends.
   */
  async changePassword(name: string, current: string, next: string, by: Actor): Promise<void> {
    const now = this.now();
    const wait = this.throttle.retryAfterMs(by.address ?? '', name, now);
    if (wait > 0)
      throw new PeopleError(`too many wrong passwords: try again in ${Math.ceil(wait / 1000)} s`, 429);
    const account = await this.existing(name);
    if (!account.passwordHash || !(await verifyPassword(current, account.passwordHash))) {
      this.throttle.recordFailure(by.address ?? '', name, now);
      await this.record(by, 'person.password', name, null, { reason: 'wrong current password' }, 'refused');
      throw new PeopleError('the current password is wrong', 403);
    }
    const bad = passwordProblem(next, name);
    if (bad) throw new PeopleError(bad, 400);
    if (next === current) throw new PeopleError('choose a password other than the current one', 400);
    const passwordHash = await hashPassword(next);
    // Read again after hashing: an administrator's change made meanwhile (a reset, a disable) stands.
    const fresh = await this.existing(name);
    if (fresh.passwordHash !== account.passwordHash)
      throw new PeopleError('the password was changed meanwhile: sign in again', 409);
    await this.store.putAccount({ ...fresh, passwordHash, mustChangePassword: false, updatedAt: this.now() });
    await this.store.deleteSessionsOf(name);
    await this.record(by, 'person.password', name, null, null);
  }

  // ---- sign-in and sessions ------------------------------------------------------------------------

  /** A password sign-in; audited either way, and throttled per account and per address. */
  async signIn(name: string, password: string, address: string | null): Promise<SignIn> {
    const now = this.now();
    this.prune(now);
    const wait = this.throttle.retryAfterMs(address ?? '', name, now);
    const refuse = async (reason: string, retryAfterS?: number): Promise<SignIn> => {
      await this.record(
        { name: name, role: null, via: 'session', address },
        'signin.refused',
        name,
        null,
        { reason },
        'refused',
      );
      return { ok: false, reason, retryAfterS };
    };
    if (wait > 0) {
      const s = Math.ceil(wait / 1000);
      return refuse(`too many wrong passwords: try again in ${s} s`, s);
    }
    const account = await this.store.account(name);
    // An unknown name costs a hash too, so the time a refusal takes does not tell which names exist.
    const hash = account?.passwordHash ?? (await this.decoyHash());
    const good = (await verifyPassword(password, hash)) && !!account?.passwordHash;
    if (!account || !good) {
      this.throttle.recordFailure(address ?? '', name, now);
      return refuse('wrong account name or password');
    }
    if (account.disabled) return refuse('the account is disabled: ask an administrator');
    if (account.source !== 'local') return refuse('this account signs in at the identity provider');
    const rehashed = needsRehash(account.passwordHash as string) ? await hashPassword(password) : undefined;
    // Read again after hashing: a disable, role change or reset an administrator made meanwhile stands.
    const fresh = await this.store.account(name);
    if (!fresh || fresh.disabled) return refuse('the account is disabled: ask an administrator');
    if (fresh.passwordHash !== account.passwordHash)
      return refuse('the password was changed meanwhile: sign in again');
    const after: Account = { ...fresh, lastSignInAt: now, ...(rehashed ? { passwordHash: rehashed } : {}) };
    await this.store.putAccount(after);
    await this.record({ name: name, role: fresh.role, via: 'session', address }, 'signin', name, null, {
      method: 'local',
    });
    return { ok: true, account: after, mustChangePassword: fresh.mustChangePassword };
  }

  /**
   * A new session for a person who just proved who they are; the cookie's value is returned once and
   * only its digest is kept. The session that sent the sign-in (if any) ends: a session id is never
   * carried across a sign-in.
   */
  async startSession(
    name: string,
    method: Session['method'],
    address: string | null,
    previousCookie?: string,
  ): Promise<{ cookie: string; session: Session }> {
    if (previousCookie) await this.store.deleteSession(sha256Hex(previousCookie));
    const now = this.now();
    await this.store.deleteExpiredSessions(now - this.sessions.idleMs, now - this.sessions.absoluteMs);
    const cookie = newSessionSecret();
    const session: Session = {
      digest: sha256Hex(cookie),
      name,
      createdAt: now,
      lastSeenAt: now,
      csrf: newCsrfToken(),
      address,
      method,
    };
    await this.store.createSession(session);
    return { cookie, session };
  }

  /** The person and session behind a cookie, or undefined when it is unknown, expired or disabled. */
  async sessionOf(cookie: string): Promise<{ account: Account; session: Session } | undefined> {
    const digest = sha256Hex(cookie);
    const session = await this.store.session(digest);
    if (!session) return undefined;
    const now = this.now();
    if (
      now - session.lastSeenAt > this.sessions.idleMs ||
      now - session.createdAt > this.sessions.absoluteMs
    ) {
      await this.store.deleteSession(digest);
      return undefined;
    }
    const account = await this.store.account(session.name);
    if (!account || account.disabled) return undefined;
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) await this.store.touchSession(digest, now);
    return { account, session };
  }

  async endSession(cookie: string, by: Actor): Promise<void> {
    await this.store.deleteSession(sha256Hex(cookie));
    await this.record(by, 'signout', by.name, null, null);
  }

  // ---- personal tokens -----------------------------------------------------------------------------

  /** A bearer token for `name`, acting with that person's role; the token is returned once. */
  async issueToken(
    name: string,
    opts: { expiresInMs?: number; label?: string },
    by: Actor,
  ): Promise<{ token: string; record: PersonalToken }> {
    const account = await this.existing(name);
    if (account.disabled) throw new PeopleError(`'${name}' is disabled: enable the account first`, 409);
    const { id, secret, token } = newPersonalToken();
    const now = this.now();
    const record: PersonalToken = {
      id,
      name,
      label: opts.label ?? null,
      digest: sha256Hex(secret),
      createdAt: now,
      expiresAt: opts.expiresInMs === undefined ? null : now + opts.expiresInMs,
      lastUsedAt: null,
    };
    await this.store.createToken(record);
    await this.record(by, 'token.issue', name, null, publicToken(record));
    return { token, record };
  }

  /** The person behind a personal token, or undefined when it is unknown, expired, revoked or disabled. */
  async tokenAccount(token: string): Promise<{ account: Account; token: PersonalToken } | undefined> {
    const parts = parsePersonalToken(token);
    if (!parts) return undefined;
    const record = await this.store.token(parts.id);
    if (!record || !sameDigest(record.digest, sha256Hex(parts.secret))) return undefined;
    const now = this.now();
    if (record.expiresAt !== null && now >= record.expiresAt) return undefined;
    const account = await this.store.account(record.name);
    if (!account || account.disabled) return undefined;
    if (record.lastUsedAt === null || now - record.lastUsedAt >= TOUCH_EVERY_MS)
      await this.store.touchToken(record.id, now);
    return { account, token: record };
  }

  async revokeToken(id: string, by: Actor): Promise<PersonalToken> {
    const record = await this.store.token(id);
    if (!record) throw new PeopleError(`no token '${id}'`, 404);
    await this.store.deleteToken(id);
    await this.record(by, 'token.revoke', record.name, publicToken(record), null);
    return record;
  }

  // ---- first start -----------------------------------------------------------------------------------

  /** On a city with no accounts: an `admin` with a one-time password to print once. */
  async ensureFirstAdmin(): Promise<string | undefined> {
    if ((await this.store.accounts()).length > 0) return undefined;
    const system: Actor = { name: 'system', role: null, via: 'system', address: null };
    try {
      return (await this.addLocal('admin', 'admin', system)).oneTimePassword;
    } catch (err) {
      // Another node of the cluster made it first: its banner shows the password.
      if (err instanceof PeopleError && err.status === 409) return undefined;
      throw err;
    }
  }

  private decoy: Promise<string> | undefined;

  /** A hash of nothing anyone knows, made once, to verify against when the account has none. */
  private decoyHash(): Promise<string> {
    this.decoy ??= hashPassword(oneTimePassword());
    return this.decoy;
  }

  private prune(now: number): void {
    if (now - this.prunedAt < 60_000) return;
    this.throttle.prune(now);
    this.prunedAt = now;
  }
}
