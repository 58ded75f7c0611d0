// OpenID Connect sign-in (issue 12) at a city's identity provider (Keycloak, Entra ID, …): the authorization
// code flow with PKCE, state and nonce, the provider's claims mapped to a citygauge role. Framework-free:
// the HTTP layer sends the browser to `begin`'s URL with its `pending` value in the `cg_oidc` cookie, and
// hands the callback URL and that cookie to `finish`, which says who signed in, or why not in words the
// person can act on. `settleOidcSignIn` then creates or updates their account and audits it.
import * as client from 'openid-client';
import { z } from 'zod';
import { refusedExternal, signInExternal } from './external-sign-in.js';
import { accountNameProblem } from './names.js';
import { claimValues, hasClaim, mappedValues, nameFrom, roleFor } from './oidc-claims.js';
import {
  DEFAULT_NEXT,
  OIDC_PENDING_COOKIE_PATH,
  openPending,
  PENDING_TTL_MS,
  safeNext,
  sealPending,
} from './oidc-pending.js';
import { type People, PeopleError } from './people.js';
import type { Account } from './people-store.js';
import type { Role } from './roles.js';

export {
  DEFAULT_NEXT,
  OIDC_PENDING_COOKIE,
  OIDC_PENDING_COOKIE_PATH,
  PENDING_TTL_MS,
  safeNext,
} from './oidc-pending.js';

const ClaimValues = z.array(z.string().min(1)).default([]);

export const OidcConfigSchema = z.object({
  /** The provider's issuer identifier, e.g. `https://sso.city.example/realms/staff`. */
  issuer: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1),
  /** From CITYGAUGE_OIDC_CLIENT_SECRET; none for a public client (PKCE alone). */
  clientSecret: z.string().min(1).optional(),
  /** How the secret is sent to the token endpoint. */
  clientAuth: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  /** citygauge's `/auth/oidc/callback`, exactly as registered at the provider. */
  redirectUri: z.url({ protocol: /^https?$/ }),
  /** The claim whose values map to roles; a dotted path reaches into nested claims (`realm_access.roles`). */
  roleClaim: z.string().min(1).default('groups'),
  roles: z
    .object({ admin: ClaimValues, engineer: ClaimValues, operator: ClaimValues, viewer: ClaimValues })
    .strict(),
  /** The claim that names the account; `email`, then `sub`, when the provider leaves it out. */
  nameClaim: z.string().min(1).default('preferred_username'),
  scopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']),
});
export type OidcConfigInput = z.input<typeof OidcConfigSchema>;
export type OidcConfig = z.output<typeof OidcConfigSchema>;

/** Bad configuration (refused at start) or a provider that cannot be reached (`begin` throws it). */
export class OidcError extends Error {
  constructor(
    message: string,
    readonly code: 'ERR_OIDC_CONFIG' | 'ERR_OIDC_UNREACHABLE',
  ) {
    super(message);
  }
}

/** Why a sign-in was refused, for the HTTP status and for counting; `reason` is what the person reads. */
export type OidcProblem =
  | 'flow-expired'
  | 'provider-refused'
  | 'provider-unreachable'
  | 'invalid-response'
  | 'no-role'
  | 'bad-name';

export type OidcOutcome =
  | { ok: true; subject: string; name: string; role: Role; next: string }
  | { ok: false; problem: OidcProblem; reason: string; name?: string; next: string };

export const STALE_FLOW_REASON = 'the sign-in took too long or was started in another tab: sign in again';

/** The `cg_oidc` cookie's attributes (the `cookie` package's names); add `secure: true` under TLS. */
export const OIDC_PENDING_COOKIE_OPTIONS = {
  httpOnly: true,
  // Lax, not Strict: the provider sends the browser back with a cross-site top-level GET, which Strict
  // would strip the cookie from.
  sameSite: 'lax',
  path: OIDC_PENDING_COOKIE_PATH,
  maxAge: PENDING_TTL_MS / 1000,
} as const;

export interface OidcSignInOptions {
  now?: () => number;
  /** Seconds to wait for the provider on each request. */
  timeoutS?: number;
}

/** http:// only to this machine itself. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export class OidcSignIn {
  readonly config: OidcConfig;
  private readonly now: () => number;
  private readonly timeoutS: number;
  private discovered: Promise<client.Configuration> | undefined;

  /** Checks the configuration; the provider is first asked for its own at `ready()`, `begin` or `finish`. */
  constructor(config: OidcConfigInput, opts: OidcSignInOptions = {}) {
    const parsed = OidcConfigSchema.safeParse(config);
    if (!parsed.success)
      throw new OidcError(
        `the OpenID Connect configuration is not valid: ${z.prettifyError(parsed.error)}`,
        'ERR_OIDC_CONFIG',
      );
    this.config = parsed.data;
    const issuer = new URL(this.config.issuer);
    if (issuer.protocol === 'http:' && !isLoopback(issuer))
      throw new OidcError(
        `the OpenID provider ${this.config.issuer} must be reached over https: tokens and the client secret cross that connection`,
        'ERR_OIDC_CONFIG',
      );
    if (mappedValues(this.config.roles).length === 0)
      throw new OidcError(
        `no ${this.config.roleClaim} values are mapped to a role, so nobody could sign in: map at least one`,
        'ERR_OIDC_CONFIG',
      );
    this.now = opts.now ?? Date.now;
    this.timeoutS = opts.timeoutS ?? 10;
  }

  /** Asks the provider for its configuration (once; again after a failure). */
  ready(): Promise<client.Configuration> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = undefined;
      throw err;
    });
    return this.discovered;
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret, clientAuth } = this.config;
    const issuerUrl = new URL(issuer);
    const auth = !clientSecret
      ? client.None()
      : clientAuth === 'client_secret_post'
        ? client.ClientSecretPost(clientSecret)
        : client.ClientSecretBasic(clientSecret);
    // openid-client refuses plain http, as it should: tokens and the client secret cross that connection.
    // A provider on this machine's loopback (the tests', or one beside citygauge on a single host) crosses
    // no network, so http is allowed there; the constructor refuses it anywhere else.
    const execute = issuerUrl.protocol === 'http:' ? [client.allowInsecureRequests] : [];
    try {
      return await client.discovery(issuerUrl, clientId, clientSecret, auth, {
        execute,
        timeout: this.timeoutS,
      });
    } catch (err) {
      throw new OidcError(
        `the OpenID provider's configuration could not be read from ${issuer}/.well-known/openid-configuration (${describe(err)}): check the issuer URL and that the provider is reachable from citygauge`,
        'ERR_OIDC_UNREACHABLE',
      );
    }
  }

  /** The issuer as the provider names itself: the first half of every account's subject. */
  async issuer(): Promise<string> {
    return (await this.ready()).serverMetadata().issuer;
  }

  /**
   * Where to send the browser to sign in, and the `pending` value to keep in the `cg_oidc` cookie until it
   * comes back. `next` is where to go after signing in: a path on this site, else `/dashboard`.
   */
  async begin(next: string): Promise<{ url: string; pending: string }> {
    const config = await this.ready();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const scopes = new Set(['openid', ...this.config.scopes]);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.config.redirectUri,
      response_type: 'code',
      scope: [...scopes].join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    const pending = sealPending({
      state,
      nonce,
      codeVerifier,
      next: safeNext(next),
      expiresAt: this.now() + PENDING_TTL_MS,
    });
    return { url: url.href, pending };
  }

  /** The provider's answer at `/auth/oidc/callback`, with the `cg_oidc` cookie `begin` set. */
  async finish(callbackUrl: URL, pending: string | undefined): Promise<OidcOutcome> {
    const flow = openPending(pending, this.now());
    if (!flow || callbackUrl.searchParams.get('state') !== flow.state)
      return {
        ok: false,
        problem: 'flow-expired',
        reason: STALE_FLOW_REASON,
        next: flow?.next ?? DEFAULT_NEXT,
      };
    const { next } = flow;
    const refuse = (problem: OidcProblem, reason: string, name?: string): OidcOutcome => ({
      ok: false,
      problem,
      reason,
      name,
      next,
    });

    let config: client.Configuration;
    try {
      config = await this.ready();
    } catch (err) {
      return refuse('provider-unreachable', describe(err));
    }
    const issuer = config.serverMetadata().issuer;

    const error = callbackUrl.searchParams.get('error');
    if (error !== null) {
      const said = saidBy(error, callbackUrl.searchParams.get('error_description'));
      return refuse(
        'provider-refused',
        error === 'access_denied'
          ? `the sign-in was refused at ${issuer} (${said}): sign in again, or ask your administrator if you should have access`
          : `${issuer} could not sign you in (${said}): sign in again, or ask your administrator`,
      );
    }

    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      return this.providerFailure(issuer, err, refuse);
    }
    let claims: Record<string, unknown> = { ...tokens.claims() };
    const { roleClaim, nameClaim } = this.config;
    // Providers keep the ID token small and leave profile and group claims to userinfo (oidc-provider does
    // by default, as the OpenID Connect core spec suggests for the code flow).
    const lacking = !hasClaim(claims, roleClaim) || !hasClaim(claims, nameClaim);
    if (lacking && config.serverMetadata().userinfo_endpoint) {
      try {
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
        claims = { ...claims, ...userinfo };
      } catch (err) {
        return this.providerFailure(issuer, err, refuse);
      }
    }

    const name = nameFrom(claims, nameClaim);
    if (name === undefined)
      return refuse(
        'bad-name',
        `${issuer} sent no name for you (no ${nameClaim}, email or sub claim): ask your administrator`,
      );
    const nameProblem = accountNameProblem(name);
    if (nameProblem)
      return refuse(
        'bad-name',
        `citygauge cannot use your name at ${issuer}: ${nameProblem}; ask your administrator`,
      );
    const role = roleFor(claimValues(claims, roleClaim), this.config.roles);
    if (role === undefined)
      return refuse(
        'no-role',
        `your account at ${issuer} has none of the ${roleClaim} citygauge maps to a role (${mappedValues(this.config.roles).join(', ')}): ask your administrator`,
        name,
      );
    return { ok: true, subject: `${issuer} ${String(claims.sub)}`, name, role, next };
  }

  private providerFailure(
    issuer: string,
    err: unknown,
    refuse: (problem: OidcProblem, reason: string) => OidcOutcome,
  ): OidcOutcome {
    // The token and userinfo endpoints refuse in the body, or (401, a wrong client secret) in a challenge.
    const said =
      err instanceof client.ResponseBodyError
        ? { error: err.error, description: err.error_description }
        : err instanceof client.WWWAuthenticateChallengeError
          ? {
              error: err.cause[0]?.parameters.error ?? `HTTP ${err.status}`,
              description: err.cause[0]?.parameters.error_description,
            }
          : undefined;
    if (said) {
      if (said.error === 'invalid_client')
        return refuse(
          'provider-refused',
          `${issuer} does not accept citygauge's client credentials (${saidBy(said.error, said.description)}): ask your administrator to check the client id and CITYGAUGE_OIDC_CLIENT_SECRET`,
        );
      return refuse(
        'provider-refused',
        `${issuer} did not complete the sign-in (${saidBy(said.error, said.description)}): sign in again`,
      );
    }
    if (err instanceof client.AuthorizationResponseError)
      return refuse(
        'provider-refused',
        `${issuer} could not sign you in (${saidBy(err.error, err.error_description)}): sign in again`,
      );
    if (err instanceof client.ClientError)
      return refuse(
        'invalid-response',
        `${issuer}'s answer did not pass citygauge's checks (${describe(err)}): ask your administrator`,
      );
    return refuse(
      'provider-unreachable',
      `${issuer} could not be reached to complete the sign-in (${describe(err)}): try again in a moment`,
    );
  }
}

/** The audit trail's actor for a refused sign-in that never learned who the person is. */
export const UNKNOWN_PERSON = 'unknown';

export type SettledSignIn =
  | { ok: true; account: Account; next: string }
  | { ok: false; reason: string; next: string };

/**
 * Records a finished sign-in: the account is created or follows the role the provider now gives, or the
 * refusal is audited, including the ones people/ makes (a disabled account, a name taken by a local one).
 * Then the HTTP layer starts a session (`people.startSession(account.name, 'oidc', …)`) on success.
 */
export async function settleOidcSignIn(
  people: People,
  outcome: OidcOutcome,
  address: string | null,
): Promise<SettledSignIn> {
  if (!outcome.ok) {
    await refusedExternal(people, outcome.name ?? UNKNOWN_PERSON, outcome.reason, address);
    return { ok: false, reason: outcome.reason, next: outcome.next };
  }
  try {
    const account = await signInExternal(people, outcome.subject, outcome.name, outcome.role, address);
    return { ok: true, account, next: outcome.next };
  } catch (err) {
    if (!(err instanceof PeopleError)) throw err;
    await refusedExternal(people, outcome.name, err.message, address);
    return { ok: false, reason: err.message, next: outcome.next };
  }
}

function saidBy(error: string, description: string | null | undefined): string {
  return description ? `${error}: ${description}` : error;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return err.message + cause;
}
