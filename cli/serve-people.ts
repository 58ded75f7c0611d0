// The options of every command that serves the HTTP API to people (`start`, `engine --http-port`, `api`):
// how long sessions last, whether anyone may read without signing in, the first start's admin account, and
// HTTPS (--tls-cert/--tls-key, or --trust-proxy behind a reverse proxy: cli/tls-files.ts).
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { parseDuration } from '../people/duration.js';
import { OidcError, OidcSignIn } from '../people/oidc.js';
import { People } from '../people/people.js';
import { isRole, ROLES } from '../people/roles.js';
import { CliError } from './errors.js';
import { openPeopleStore } from './open-people.js';
import type { DbFlag } from './open-registry.js';
import { addHttpsOptions, type HttpsFlags } from './tls-files.js';

export interface PeopleFlags extends DbFlag, OidcFlags, HttpsFlags {
  sessionIdle: string;
  sessionMax: string;
  anonymousRead?: boolean;
}

export function addPeopleOptions(cmd: Command): Command {
  return addOidcOptions(addHttpsOptions(cmd))
    .option('--session-idle <duration>', 'a session nobody uses for this long ends (e.g. 30m, 1h)', '1h')
    .option('--session-max <duration>', 'every session ends this long after sign-in (e.g. 12h)', '12h')
    .option(
      '--anonymous-read',
      'let anyone read the indicators, the dashboard and the API without signing in, as a viewer (a city that publishes its figures)',
    );
}

function duration(flag: string, text: string): number {
  const d = parseDuration(text);
  if (!d.ok) throw new CliError(`${flag}: ${d.reason}`);
  return d.ms;
}

/**
 * The city's people, with the session policy of the flags. On a city with no accounts yet, an `admin`
 * account is made and its one-time password returned, to print once beside the admin token.
 */
export async function openPeople(
  opts: PeopleFlags,
  log: Logger,
  /** Where this process's callback is when --oidc-redirect-uri does not say. */
  callback: { host: string; port: number },
): Promise<{ people: People; firstAdminPassword?: string; oidc?: ReturnType<typeof oidcFromFlags> }> {
  const host = callback.host.includes(':') ? `[${callback.host}]` : callback.host;
  const scheme = opts.tlsCert ? 'https' : 'http';
  const oidc = oidcFromFlags(opts, `${scheme}://${host}:${callback.port}/auth/oidc/callback`);
  const store = await openPeopleStore(opts, { create: true });
  const people = new People(store, {
    sessions: {
      idleMs: duration('--session-idle', opts.sessionIdle),
      absoluteMs: duration('--session-max', opts.sessionMax),
    },
  });
  const firstAdminPassword = await people.ensureFirstAdmin();
  if (firstAdminPassword)
    log.info({ account: 'admin' }, 'first start: made the admin account with a one-time password');
  return { people, firstAdminPassword, oidc };
}

/** The banner's line for the first admin account. */
export function adminAccountLine(firstAdminPassword: string | undefined): string {
  return firstAdminPassword
    ? `  admin account  admin / ${firstAdminPassword}   (one-time password, shown once: choose your own at first sign-in)`
    : '  people         sign in at /signin; `citygauge users add NAME --role ROLE` adds an account';
}

export interface OidcFlags {
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcRedirectUri?: string;
  oidcRoleClaim: string;
  oidcNameClaim: string;
  oidcRole: string[];
  oidcLabel: string;
}

export function addOidcOptions(cmd: Command): Command {
  return cmd
    .option('--oidc-issuer <url>', "sign people in at the city's OpenID provider (Keycloak, Entra ID, …)")
    .option(
      '--oidc-client-id <id>',
      "citygauge's client id there (its secret in CITYGAUGE_OIDC_CLIENT_SECRET)",
    )
    .option(
      '--oidc-redirect-uri <url>',
      'the callback registered at the provider (default: http(s)://<host>:<http-port>/auth/oidc/callback)',
    )
    .option(
      '--oidc-role-claim <claim>',
      'the claim whose values give roles (a dotted path reaches inside)',
      'groups',
    )
    .option('--oidc-name-claim <claim>', 'the claim that names the account', 'preferred_username')
    .option(
      '--oidc-role <role=value>',
      'a claim value that gives a role, e.g. admin=city-admins (repeat for more)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--oidc-label <text>', "the provider's name on the sign-in button", 'your city account');
}

/** The OpenID Connect sign-in the flags describe, or undefined without --oidc-issuer. */
export function oidcFromFlags(
  o: OidcFlags,
  fallbackRedirect: string,
): { oidc: OidcSignIn; label: string; redirectUri: string } | undefined {
  if (!o.oidcIssuer) return undefined;
  if (!o.oidcClientId)
    throw new CliError(
      '--oidc-issuer needs --oidc-client-id: the client registered for citygauge at the provider',
    );
  const roles: Record<string, string[]> = { admin: [], engineer: [], operator: [], viewer: [] };
  for (const pair of o.oidcRole) {
    const m = /^([a-z]+)=(.+)$/.exec(pair);
    if (!m || !isRole(m[1]))
      throw new CliError(
        `--oidc-role '${pair}' is not role=value: the roles are ${ROLES.join(', ')} (e.g. admin=city-admins)`,
      );
    roles[m[1]].push(m[2]);
  }
  const redirectUri = o.oidcRedirectUri ?? fallbackRedirect;
  try {
    const oidc = new OidcSignIn({
      issuer: o.oidcIssuer,
      clientId: o.oidcClientId,
      clientSecret: process.env.CITYGAUGE_OIDC_CLIENT_SECRET || undefined,
      redirectUri,
      roleClaim: o.oidcRoleClaim,
      nameClaim: o.oidcNameClaim,
      roles,
    });
    return { oidc, label: o.oidcLabel, redirectUri };
  } catch (err) {
    if (err instanceof OidcError) throw new CliError(err.message);
    throw err;
  }
}
