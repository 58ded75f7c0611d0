// OpenID Connect sign-in (issue 12) against a real OpenID provider started in the test: the person's first
// sign-in creates their account, a role changed at the provider follows at the next sign-in, and refused
// sign-ins say why and are audited.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../people/audit-chain.js';
import {
  type OidcConfigInput,
  type OidcOutcome,
  OidcSignIn,
  STALE_FLOW_REASON,
  settleOidcSignIn,
} from '../../people/oidc.js';
import { openPending, sealPending } from '../../people/oidc-pending.js';
import { People } from '../../people/people.js';
import { SqlitePeople } from '../../people/sqlite-people.js';
import { type SignInAtProvider, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider.js';
import { tempDir } from '../support/tmp.js';

const CALLBACK = 'http://127.0.0.1:8080/auth/oidc/callback';
const ADDRESS = '203.0.113.7';
const MAPPED = { admin: ['city-admins'], engineer: ['field-engineers'], operator: ['duty-officers'] };

let provider: TestOidcProvider;
let store: SqlitePeople;
let people: People;

function config(overrides: Partial<OidcConfigInput> = {}): OidcConfigInput {
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri: CALLBACK,
    roles: { ...MAPPED, viewer: ['staff'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    ...overrides,
  };
}

/** The whole round trip: citygauge's login route, the person at the provider, citygauge's callback. */
async function signIn(oidc: OidcSignIn, how: SignInAtProvider, next = '/dashboard') {
  const { url, pending } = await oidc.begin(next);
  const back = await provider.authorize(url, how);
  const outcome = await oidc.finish(back, pending);
  const settled = await settleOidcSignIn(people, outcome, ADDRESS);
  return { url, pending, back, outcome, settled };
}

async function auditOf(target: string): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const entry of store.auditAll()) if (entry.target === target) all.push(entry);
  return all;
}

async function refusals(): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const entry of store.auditAll()) if (entry.action === 'signin.refused') all.push(entry);
  return all;
}

function refused(outcome: OidcOutcome) {
  if (outcome.ok) throw new Error(`expected a refusal, got a sign-in as ${outcome.name} (${outcome.role})`);
  return outcome;
}

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUri: CALLBACK });
});

afterAll(async () => {
  await provider?.close();
});

beforeEach(async () => {
  await store?.close();
  store = await SqlitePeople.open(tempDir('citygauge-oidc-'));
  people = new People(store);
  provider.people.clear();
  provider.people.set('u-ada', {
    sub: 'u-ada',
    preferred_username: 'ada',
    email: 'ada@city.example',
    groups: ['staff', 'city-admins'],
  });
  provider.people.set('u-ben', { sub: 'u-ben', preferred_username: 'ben', groups: ['field-engineers'] });
  provider.people.set('u-cat', { sub: 'u-cat', preferred_username: 'cat', groups: ['contractors'] });
});

describe('a first sign-in', () => {
  it('creates the account with the role its group maps to, audited as person.add and signin via oidc', async () => {
    const oidc = new OidcSignIn(config());
    const { outcome, settled } = await signIn(oidc, { as: 'u-ada' }, '/alerts?district=north');

    expect(outcome).toEqual({
      ok: true,
      subject: `${provider.issuer} u-ada`,
      name: 'ada',
      role: 'admin',
      next: '/alerts?district=north',
    });
    expect(settled.ok).toBe(true);
    const account = await people.account('ada');
    expect(account).toMatchObject({
      role: 'admin',
      source: 'oidc',
      passwordHash: null,
      oidcSubject: `${provider.issuer} u-ada`,
    });
    expect(account?.lastSignInAt).not.toBeNull();

    const trail = await auditOf('ada');
    expect(trail.map((e) => [e.action, e.actor, e.via, e.address, e.outcome])).toEqual([
      ['person.add', 'ada', 'oidc', ADDRESS, 'ok'],
      ['signin', 'ada', 'oidc', ADDRESS, 'ok'],
    ]);
    expect(trail[0].after).toMatchObject({ name: 'ada', role: 'admin', source: 'oidc' });
    expect(trail[1].after).toEqual({ method: 'oidc' });
  });

  it('names the account by email when the provider sends no preferred_username', async () => {
    provider.people.set('u-dee', { sub: 'u-dee', email: 'dee@city.example', groups: 'duty-officers' });
    const { outcome } = await signIn(new OidcSignIn(config()), { as: 'u-dee' });
    expect(outcome).toMatchObject({ ok: true, name: 'dee@city.example', role: 'operator' });
    expect((await people.account('dee@city.example'))?.role).toBe('operator');
  });

  it('works for a public client, with PKCE and no client secret', async () => {
    const oidc = new OidcSignIn(config({ clientId: provider.publicClientId, clientSecret: undefined }));
    const { outcome } = await signIn(oidc, { as: 'u-ben' });
    expect(outcome).toMatchObject({ ok: true, name: 'ben', role: 'engineer' });
  });

  it('takes the role from the ID token when the provider puts the groups there and has no userinfo', async () => {
    const bare = await startOidcProvider({ redirectUri: CALLBACK, claimsInIdToken: true, userinfo: false });
    try {
      bare.people.set('u-ada', { sub: 'u-ada', preferred_username: 'ada', groups: ['city-admins'] });
      const oidc = new OidcSignIn(config({ issuer: bare.issuer, clientSecret: bare.clientSecret }));
      expect((await oidc.ready()).serverMetadata().userinfo_endpoint).toBeUndefined();
      const { url, pending } = await oidc.begin('/dashboard');
      const outcome = await oidc.finish(await bare.authorize(url, { as: 'u-ada' }), pending);
      expect(outcome).toMatchObject({
        ok: true,
        name: 'ada',
        role: 'admin',
        subject: `${bare.issuer} u-ada`,
      });
    } finally {
      await bare.close();
    }
  });
});

describe('a role changed at the provider', () => {
  it('shows at the next sign-in: engineer, then viewer, audited as person.role by the identity provider', async () => {
    const oidc = new OidcSignIn(config());
    expect((await signIn(oidc, { as: 'u-ben' })).outcome).toMatchObject({ ok: true, role: 'engineer' });
    expect((await people.account('ben'))?.role).toBe('engineer');
    // A session made while an engineer must not outlive the role.
    const { cookie } = await people.startSession('ben', 'oidc', ADDRESS);

    provider.people.set('u-ben', { sub: 'u-ben', preferred_username: 'ben', groups: ['staff'] });
    expect((await signIn(oidc, { as: 'u-ben' })).outcome).toMatchObject({ ok: true, role: 'viewer' });
    expect((await people.account('ben'))?.role).toBe('viewer');
    expect(await people.sessionOf(cookie)).toBeUndefined();

    // Unchanged at the provider: a sign-in, and no role change.
    await signIn(oidc, { as: 'u-ben' });

    const trail = await auditOf('ben');
    expect(trail.map((e) => e.action)).toEqual(['person.add', 'signin', 'person.role', 'signin', 'signin']);
    const change = trail[2];
    expect(change).toMatchObject({ actor: 'identity-provider', via: 'oidc', address: ADDRESS });
    expect(change.before).toMatchObject({ name: 'ben', role: 'engineer' });
    expect(change.after).toMatchObject({ name: 'ben', role: 'viewer' });
    expect(trail[3]).toMatchObject({ actor: 'ben', role: 'viewer' });
  });

  it('gives the highest role any of the person’s groups maps to', async () => {
    provider.people.set('u-ben', {
      sub: 'u-ben',
      preferred_username: 'ben',
      groups: ['staff', 'field-engineers', 'duty-officers'],
    });
    const { outcome } = await signIn(new OidcSignIn(config()), { as: 'u-ben' });
    expect(outcome).toMatchObject({ ok: true, role: 'engineer' });
  });
});

describe('a refused sign-in', () => {
  it.each(['login', 'consent'] as const)(
    'says the person refused at the provider (%s) and audits signin.refused',
    async (refuseAt) => {
      const { outcome, settled } = await signIn(new OidcSignIn(config()), { as: 'u-ada', refuseAt });
      const no = refused(outcome);
      expect(no.problem).toBe('provider-refused');
      expect(no.reason).toBe(
        `the sign-in was refused at ${provider.issuer} (access_denied: End-User aborted interaction): sign in again, or ask your administrator if you should have access`,
      );
      expect(settled).toEqual({ ok: false, reason: no.reason, next: '/dashboard' });
      expect(await people.account('ada')).toBeUndefined();
      const [entry, ...more] = await refusals();
      expect(more).toEqual([]);
      expect(entry).toMatchObject({
        actor: 'unknown',
        via: 'oidc',
        address: ADDRESS,
        outcome: 'refused',
        after: { reason: no.reason },
      });
    },
  );

  it('refuses a person none of whose groups maps to a role, saying which groups would', async () => {
    const { outcome } = await signIn(new OidcSignIn(config()), { as: 'u-cat' });
    const no = refused(outcome);
    expect(no).toMatchObject({ problem: 'no-role', name: 'cat' });
    expect(no.reason).toBe(
      `your account at ${provider.issuer} has none of the groups citygauge maps to a role (city-admins, field-engineers, duty-officers, staff): ask your administrator`,
    );
    expect(await people.account('cat')).toBeUndefined();
    expect(await refusals()).toMatchObject([{ actor: 'cat', target: 'cat', after: { reason: no.reason } }]);
  });

  it('refuses an answer whose state was tampered with', async () => {
    const oidc = new OidcSignIn(config());
    const { url, pending } = await oidc.begin('/dashboard');
    const back = await provider.authorize(url, { as: 'u-ada' });
    back.searchParams.set('state', 'forged-state');
    const outcome = await oidc.finish(back, pending);
    expect(refused(outcome)).toMatchObject({ problem: 'flow-expired', reason: STALE_FLOW_REASON });
    await settleOidcSignIn(people, outcome, ADDRESS);
    expect(await people.account('ada')).toBeUndefined();
    expect(await refusals()).toMatchObject([{ actor: 'unknown', after: { reason: STALE_FLOW_REASON } }]);
  });

  it('refuses an answer to a sign-in begun in another tab', async () => {
    const oidc = new OidcSignIn(config());
    const first = await oidc.begin('/dashboard');
    const second = await oidc.begin('/dashboard');
    const back = await provider.authorize(first.url, { as: 'u-ada' });
    expect(refused(await oidc.finish(back, second.pending)).reason).toBe(STALE_FLOW_REASON);
    expect(refused(await oidc.finish(back, undefined)).reason).toBe(STALE_FLOW_REASON);
  });

  it('refuses a replayed answer: the provider takes each code once', async () => {
    const oidc = new OidcSignIn(config());
    const { back, pending, outcome } = await signIn(oidc, { as: 'u-ada' });
    expect(outcome.ok).toBe(true);
    const replay = refused(await oidc.finish(back, pending));
    expect(replay.problem).toBe('provider-refused');
    expect(replay.reason).toMatch(
      new RegExp(`^${provider.issuer} did not complete the sign-in \\(invalid_grant.*\\): sign in again$`),
    );
  });

  it('refuses an answer that comes back after the ten minutes a sign-in may take', async () => {
    let now = Date.now();
    const oidc = new OidcSignIn(config(), { now: () => now });
    const { url, pending } = await oidc.begin('/dashboard');
    const back = await provider.authorize(url, { as: 'u-ada' });
    now += 10 * 60_000 + 1;
    expect(refused(await oidc.finish(back, pending))).toMatchObject({
      problem: 'flow-expired',
      reason: STALE_FLOW_REASON,
    });
  });

  it('refuses a person whose name at the provider cannot be an account name', async () => {
    provider.people.set('u-odd', { sub: 'u-odd', preferred_username: 'Odd Name', groups: ['staff'] });
    const no = refused((await signIn(new OidcSignIn(config()), { as: 'u-odd' })).outcome);
    expect(no.problem).toBe('bad-name');
    expect(no.reason).toContain(`citygauge cannot use your name at ${provider.issuer}: 'Odd Name'`);
  });

  it('refuses, and audits, a provider person whose name is a local account’s', async () => {
    const system = { name: 'system', role: null, via: 'system' as const, address: null };
    await people.addLocal('ada', 'viewer', system, 'a long local passphrase');
    const { outcome, settled } = await signIn(new OidcSignIn(config()), { as: 'u-ada' });
    expect(outcome.ok).toBe(true);
    expect(settled).toMatchObject({ ok: false, reason: expect.stringContaining("an account 'ada' exists") });
    expect((await people.account('ada'))?.source).toBe('local');
    expect(await refusals()).toMatchObject([{ actor: 'ada', outcome: 'refused' }]);
  });

  it('says citygauge’s client credentials are wrong when the provider does not accept them', async () => {
    const oidc = new OidcSignIn(config({ clientSecret: 'not-the-secret' }));
    const no = refused((await signIn(oidc, { as: 'u-ada' })).outcome);
    expect(no.problem).toBe('provider-refused');
    expect(no.reason).toContain("does not accept citygauge's client credentials (invalid_client");
  });
});

describe('PKCE', () => {
  it('sends an S256 challenge of the verifier the callback proves, and the provider checks it', async () => {
    const oidc = new OidcSignIn(config());
    const { url, pending } = await oidc.begin('/dashboard');
    const sent = new URL(url).searchParams;
    const flow = openPending(pending, Date.now());
    if (!flow) throw new Error('begin gave a pending value that does not open');
    expect(sent.get('code_challenge_method')).toBe('S256');
    expect(sent.get('code_challenge')).toBe(
      createHash('sha256').update(flow.codeVerifier).digest('base64url'),
    );
    expect(sent.get('state')).toBe(flow.state);
    expect(sent.get('nonce')).toBe(flow.nonce);

    const back = await provider.authorize(url, { as: 'u-ada' });
    expect(provider.authorizationRequests.at(-1)?.searchParams.get('code_challenge')).toBe(
      sent.get('code_challenge'),
    );
    // Another verifier than the one challenged: the provider refuses the code.
    const otherVerifier = sealPending({ ...flow, codeVerifier: 'x'.repeat(64) });
    const no = refused(await oidc.finish(back, otherVerifier));
    expect(no.problem).toBe('provider-refused');
    expect(no.reason).toMatch(/invalid_grant/);
  });
});

describe('the destination after signing in', () => {
  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'dashboard', '/\t/evil.example'])(
    'is /dashboard when asked for %j',
    async (next) => {
      const { outcome } = await signIn(new OidcSignIn(config()), { as: 'u-ada' }, next);
      expect(outcome).toMatchObject({ ok: true, next: '/dashboard' });
    },
  );
});

describe('configuration', () => {
  it('refuses a plain-http provider anywhere but on this machine', () => {
    expect(() => new OidcSignIn(config({ issuer: 'http://sso.city.example/realms/staff' }))).toThrow(
      expect.objectContaining({ code: 'ERR_OIDC_CONFIG', message: expect.stringContaining('https') }),
    );
  });

  it('refuses a mapping that would let nobody in', () => {
    expect(() => new OidcSignIn(config({ roles: {} }))).toThrow(
      expect.objectContaining({ code: 'ERR_OIDC_CONFIG' }),
    );
  });

  it('says which provider cannot be reached when a sign-in begins', async () => {
    const oidc = new OidcSignIn(config({ issuer: 'http://127.0.0.1:9/realms/staff' }), { timeoutS: 5 });
    await expect(oidc.begin('/dashboard')).rejects.toMatchObject({
      code: 'ERR_OIDC_UNREACHABLE',
      message: expect.stringContaining('http://127.0.0.1:9/realms/staff/.well-known/openid-configuration'),
    });
  });
});
