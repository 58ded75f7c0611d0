// A real OpenID provider (oidc-provider, the certified Node implementation) on a free loopback port, with
// one confidential client, one public client, and people whose claims a test may change between sign-ins.
// `authorize` plays the person's browser over plain HTTP: it follows the provider's redirects by hand with
// a small cookie jar, signs in (or refuses) and consents through the provider's own interaction API, and
// returns the redirect to citygauge's callback.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseSetCookie } from 'cookie';
import Provider, { type AccountClaims } from 'oidc-provider';
import { freePort } from './ports.js';

export interface ProviderPerson extends AccountClaims {
  preferred_username?: string;
  email?: string;
  groups?: string[] | string;
}

export interface OidcProviderOptions {
  /** citygauge's callback, registered for both clients. */
  redirectUri: string;
  /** Put profile and group claims in the ID token, not only in userinfo (oidc-provider's default). */
  claimsInIdToken?: boolean;
  /** Offer a userinfo endpoint (default true). */
  userinfo?: boolean;
}

export interface SignInAtProvider {
  /** The person (their `sub`) who signs in at the login prompt. */
  as: string;
  /** Where the person says no instead: the provider sends `error=access_denied` back. */
  refuseAt?: 'login' | 'consent';
}

export interface TestOidcProvider {
  issuer: string;
  /** A confidential client (client_secret_basic). */
  clientId: string;
  clientSecret: string;
  /** A public client: PKCE alone. */
  publicClientId: string;
  /** The provider's people by `sub`; change their claims between sign-ins (a role change at the provider). */
  people: Map<string, ProviderPerson>;
  /** Every authorization request the provider received, as sent. */
  authorizationRequests: URL[];
  /** Plays the browser from citygauge's authorization URL to the redirect back to the callback. */
  authorize(authorizationUrl: string, how: SignInAtProvider): Promise<URL>;
  close(): Promise<void>;
}

export async function startOidcProvider(opts: OidcProviderOptions): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const people = new Map<string, ProviderPerson>();
  const clientSecret = randomBytes(24).toString('base64url');
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const common = {
    redirect_uris: [opts.redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code' as const],
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        ...common,
        client_id: 'citygauge',
        client_secret: clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      { ...common, client_id: 'citygauge-public', token_endpoint_auth_method: 'none' },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test-signing', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['preferred_username'],
      email: ['email'],
      groups: ['groups'],
    },
    conformIdTokenClaims: !opts.claimsInIdToken,
    // Set, so oidc-provider does not print a notice for each default it would use.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    // Every client must use PKCE here, so a sign-in without it fails at the provider.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: opts.userinfo ?? true },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      if (!people.has(sub)) return undefined;
      // Claims are read at each token and userinfo request, so a change in `people` shows at the next sign-in.
      return { accountId: sub, claims: () => ({ ...(people.get(sub) as ProviderPerson), sub }) };
    },
  });
  const authorizationRequests: URL[] = [];
  const providerHandler = provider.callback();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const path = url.pathname;
    if (path === '/auth') authorizationRequests.push(url);
    if (path.startsWith('/interaction/')) {
      interaction(provider, req, res, path).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(`interaction failed: ${err instanceof Error ? err.message : String(err)}`);
      });
      return;
    }
    providerHandler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    issuer,
    clientId: 'citygauge',
    clientSecret,
    publicClientId: 'citygauge-public',
    people,
    authorizationRequests,
    authorize: (url, how) => playBrowser(issuer, opts.redirectUri, url, how),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The interaction routes a real provider would render as pages: GET says which prompt is pending (as
 * JSON, for the test's "browser"), POST `login`, `confirm` or `abort` answers it through oidc-provider's
 * interaction API.
 */
async function interaction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const [, , uid, action] = path.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error(`interaction ${uid} is not this browser's (${details.uid})`);
  if (req.method === 'GET' && action === undefined) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ uid, prompt: details.prompt.name }));
    return;
  }
  if (req.method !== 'POST') throw new Error(`${req.method} ${path} is not an interaction route`);
  const form = new URLSearchParams(await body(req));
  if (action === 'abort') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (action === 'login') {
    if (details.prompt.name !== 'login') throw new Error(`the pending prompt is ${details.prompt.name}`);
    const accountId = form.get('account') ?? '';
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (action === 'confirm') {
    if (details.prompt.name !== 'consent') throw new Error(`the pending prompt is ${details.prompt.name}`);
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error('consent before login');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error(`grant ${details.grantId} not found`);
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  throw new Error(`unknown interaction action ${action}`);
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The person's browser: a fresh cookie jar each time, so every sign-in starts at the login prompt. */
async function playBrowser(
  issuer: string,
  redirectUri: string,
  authorizationUrl: string,
  how: SignInAtProvider,
): Promise<URL> {
  const jar = new CookieJar();
  const callback = new URL(redirectUri);
  let at = new URL(authorizationUrl);
  let form: Record<string, string> | undefined;
  for (let step = 0; step < 20; step++) {
    if (at.origin === callback.origin && at.pathname === callback.pathname) return at;
    if (at.origin !== issuer) throw new Error(`the browser was sent to ${at.href}, outside the provider`);
    const res = await fetch(at, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: jar.header(at),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    jar.store(res, at);
    form = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      at = new URL(location, at);
      continue;
    }
    const text = await res.text();
    if (res.status !== 200 || !at.pathname.startsWith('/interaction/'))
      throw new Error(`the provider answered ${res.status} at ${at.pathname}: ${text.slice(0, 500)}`);
    const { uid, prompt } = JSON.parse(text) as { uid: string; prompt: string };
    if (how.refuseAt === prompt) {
      at = new URL(`/interaction/${uid}/abort`, issuer);
      form = {};
    } else if (prompt === 'login') {
      at = new URL(`/interaction/${uid}/login`, issuer);
      form = { account: how.as };
    } else if (prompt === 'consent') {
      at = new URL(`/interaction/${uid}/confirm`, issuer);
      form = {};
    } else throw new Error(`the provider asks for an unknown prompt '${prompt}'`);
  }
  throw new Error(`the provider did not send the browser back to ${redirectUri} within 20 steps`);
}

/** Enough of a browser's cookie handling for one origin: names, paths and deletion. */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(res: Response, url: URL): void {
    for (const line of res.headers.getSetCookie()) {
      const c = parseSetCookie(line);
      const path = c.path ?? defaultPath(url);
      const key = `${c.name};${path}`;
      const expired =
        c.maxAge !== undefined ? c.maxAge <= 0 : c.expires !== undefined && c.expires < new Date();
      if (expired || c.value === undefined || c.value === '') this.cookies.delete(key);
      else this.cookies.set(key, { name: c.name, value: c.value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => pathMatches(url.pathname, c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

function defaultPath(url: URL): string {
  const cut = url.pathname.lastIndexOf('/');
  return cut <= 0 ? '/' : url.pathname.slice(0, cut);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`);
}
