// Signing in and out with a local account (issue 12): `GET/POST /signin`, `POST /signout`, and
// `GET/POST /account/password`, where a one-time password is replaced at the first sign-in. A session is
// new at every sign-in (the cookie a browser brought is never kept), HTTP-only, SameSite=Lax, Secure when
// the city is served over HTTPS, and ends after the session policy's idle or absolute time.
import { serialize } from 'cookie';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KIOSK_COOKIE, KIOSK_HOME, kioskSignIn } from '../people/kiosk.js';
import { safeNext } from '../people/oidc-pending.js';
import { type People, PeopleError } from '../people/people.js';
import { needs } from './access.js';
import type { AttemptLimit } from './attempt-limit.js';
import { actorOf } from './audit-hook.js';
import { SESSION_COOKIE, sessionCookieOf } from './identity.js';
import { escapeHtml as esc, page } from './pages.js';

export interface SignInOptions {
  people: People;
  /** Where a person lands after signing in when the page they wanted is not known. */
  home: string;
  /** The identity provider's button, when OpenID Connect is configured. */
  oidc?: { label: string };
  /** Wrong tokens per address, shared with the API's bearer tokens: a wall's sign-in counts there too. */
  attempts: AttemptLimit;
}

export function sessionCookie(req: FastifyRequest, value: string, maxAgeS: number): string {
  return serialize(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    path: '/',
    maxAge: maxAgeS,
  });
}

/** The header that ends the browser's copy of the session. */
export function clearedSessionCookie(req: FastifyRequest): string {
  return sessionCookie(req, '', 0);
}

/** Forms posted from another site are refused before anything is checked (login CSRF). */
function fromAnotherSite(req: FastifyRequest): boolean {
  // A browser that says so (every current one does), whatever Origin it sends or leaves out.
  if (req.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

const SignInForm = z.object({
  name: z.string().max(200),
  password: z.string().max(1000),
  next: z.string().optional(),
});
const PasswordForm = z.object({
  current: z.string().max(1000),
  password: z.string().max(1000),
  again: z.string().max(1000),
  next: z.string().optional(),
  _csrf: z.string().optional(),
});

/** The sign-in page, with an error when the last attempt failed (OpenID Connect's callback shows it too). */
export function signInHtml(
  next: string,
  oidc: { label: string } | undefined,
  error?: string,
  name = '',
): string {
  return page(
    'Sign in',
    `<h1>Sign in to citygauge</h1>${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/signin"><input type="hidden" name="next" value="${esc(next)}">
<label for="name">Account name</label><input id="name" name="name" autocomplete="username" required value="${esc(name)}" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>${
      oidc
        ? `<a class="button alt" href="/auth/oidc/login?next=${encodeURIComponent(next)}">Sign in with ${esc(oidc.label)}</a>`
        : ''
    }`,
  );
}

/** A wall's cookie: its token, for the dashboard only, kept as long as the token lives (browsers cap 400 days). */
function kioskCookie(req: FastifyRequest, token: string, expiresAt: number | null, now: number): string {
  const maxAge = Math.floor(Math.min(400 * 86_400_000, (expiresAt ?? Number.POSITIVE_INFINITY) - now) / 1000);
  return serialize(KIOSK_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    path: '/dashboard',
    maxAge,
  });
}

const KioskForm = z.object({ token: z.string().max(200).optional(), next: z.string().optional() });

function kioskHtml(next: string, error?: string): string {
  return page(
    'Wall sign-in',
    `<h1>Sign a wall in</h1>${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<p class="note">A wall's browser signs in once with a viewer's personal token and stays signed in as long as the token lives. Issue one with <code>citygauge tokens issue wall --label "operations wall"</code> for a viewer account, and paste it here, or have the wall's kiosk browser open <code>/kiosk?token=…</code>. Revoke the token to sign the wall out.</p>
<form method="post" action="/kiosk"><input type="hidden" name="next" value="${esc(next)}"><label for="token">Viewer's personal token</label><input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Open the wall</button></form>`,
  );
}

export const signInPlugin: FastifyPluginAsync<SignInOptions> = async (
  app,
  { people, home, oidc, attempts },
) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);

  const signInPage = (next: string, error?: string, name = '') => signInHtml(next, oidc, error, name);

  api.get(
    '/signin',
    { ...needs('public'), schema: { hide: true, querystring: z.object({ next: z.string().optional() }) } },
    async (req, reply) => {
      const next = safeNext(req.query.next, home);
      const cookie = sessionCookieOf(req.raw);
      const signedIn = cookie ? await people.sessionOf(cookie) : undefined;
      if (signedIn?.account.mustChangePassword)
        return reply.redirect(`/account/password?next=${encodeURIComponent(next)}`, 303);
      if (signedIn) return reply.redirect(next, 303);
      return html(reply, 200, signInPage(next));
    },
  );

  api.post(
    '/signin',
    { ...needs('public'), schema: { hide: true, body: SignInForm } },
    async (req, reply) => {
      const next = safeNext(req.body.next, home);
      if (fromAnotherSite(req))
        return html(reply, 403, signInPage(next, 'This sign-in came from another site.'));
      const result = await people.signIn(req.body.name, req.body.password, req.ip);
      if (!result.ok) {
        if (result.retryAfterS) reply.header('retry-after', String(result.retryAfterS));
        return html(reply, result.retryAfterS ? 429 : 401, signInPage(next, result.reason, req.body.name));
      }
      const { cookie } = await people.startSession(
        result.account.name,
        'local',
        req.ip,
        sessionCookieOf(req.raw),
      );
      reply.header('set-cookie', sessionCookie(req, cookie, people.sessions.absoluteMs / 1000));
      const to = result.mustChangePassword ? `/account/password?next=${encodeURIComponent(next)}` : next;
      return reply.redirect(to, 303);
    },
  );

  // A wall's browser (people/kiosk.ts): the token comes once, in the URL a kiosk launcher opens or in the
  // form, is kept in a cookie only the dashboard is sent, and the browser goes on to a URL without it.
  const signWallIn = async (
    req: FastifyRequest,
    reply: FastifyReply,
    token: string | undefined,
    wanted: string | undefined,
    crossSite: boolean,
  ) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const safe = safeNext(wanted, KIOSK_HOME);
    const next = safe === '/dashboard' || safe.startsWith('/dashboard/') ? safe : KIOSK_HOME;
    if (token === undefined) return html(reply, 200, kioskHtml(next));
    // Another site's page (an image, a form) cannot sign a browser in, nor spend this address's wrong tries.
    if (crossSite) return html(reply, 403, kioskHtml(next, 'This sign-in came from another site.'));
    const wait = attempts.retryAfterS(req.ip);
    if (wait > 0) {
      const reason = `too many wrong tokens from this address: try again in ${wait} s`;
      await people.audit({
        actor: 'unknown',
        role: null,
        via: 'token',
        address: req.ip,
        action: 'signin.refused',
        target: null,
        before: null,
        after: { reason, method: 'kiosk' },
        outcome: 'refused',
      });
      return html(reply.header('retry-after', String(wait)), 429, kioskHtml(next, reason));
    }
    const result = await kioskSignIn(people, token, req.ip);
    if (!result.ok) {
      if (result.status === 401) attempts.failed(req.ip);
      return html(reply, result.status, kioskHtml(next, result.reason));
    }
    reply.header('set-cookie', kioskCookie(req, token, result.token.expiresAt, people.now()));
    return reply.redirect(next, 303);
  };

  api.get('/kiosk', { ...needs('public'), schema: { hide: true, querystring: KioskForm } }, (req, reply) =>
    signWallIn(req, reply, req.query.token, req.query.next, req.headers['sec-fetch-site'] === 'cross-site'),
  );

  api.post('/kiosk', { ...needs('public'), schema: { hide: true, body: KioskForm } }, (req, reply) =>
    signWallIn(req, reply, req.body.token, req.body.next, fromAnotherSite(req)),
  );

  // A link can reach sign-out (the dashboard's menu); the form it shows posts with the CSRF token.
  api.get('/signout', { ...needs('viewer'), schema: { hide: true } }, async (req, reply) => {
    const csrf = req.caller?.session?.csrf;
    if (!csrf) return reply.redirect('/signin', 303);
    return html(
      reply,
      200,
      page(
        'Sign out',
        `<h1>Sign out</h1><p>Signed in as <b>${esc(req.caller!.name)}</b> (${esc(req.caller!.role)}).</p>
<form method="post" action="/signout"><input type="hidden" name="_csrf" value="${esc(csrf)}"><button type="submit">Sign out</button></form>`,
      ),
    );
  });

  api.post(
    '/signout',
    {
      ...needs('viewer', 'signout'),
      schema: { hide: true, body: z.object({ _csrf: z.string().optional() }).optional() },
    },
    async (req, reply) => {
      const cookie = sessionCookieOf(req.raw);
      if (cookie) await people.endSession(cookie, actorOf(req));
      req.audited = true;
      reply.header('set-cookie', clearedSessionCookie(req));
      return reply.redirect('/signin', 303);
    },
  );

  const passwordPage = (name: string, csrf: string, next: string, forced: boolean, error?: string) =>
    page(
      'New password',
      `<h1>${forced ? 'Choose your password' : 'Change your password'}</h1>
<p class="note">${forced ? `You signed in as <b>${esc(name)}</b> with a one-time password. ` : ''}At least 12 characters.</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/account/password"><input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="next" value="${esc(next)}">
<input type="hidden" name="name" value="${esc(name)}" autocomplete="username">
<label for="current">${forced ? 'One-time password' : 'Current password'}</label><input id="current" name="current" type="password" autocomplete="current-password" required>
<label for="password">New password</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<label for="again">New password again</label><input id="again" name="again" type="password" autocomplete="new-password" minlength="12" required>
<button type="submit">Save</button></form>`,
    );

  api.get(
    '/account/password',
    { ...needs('viewer'), schema: { hide: true, querystring: z.object({ next: z.string().optional() }) } },
    async (req, reply) => {
      const caller = req.caller!;
      if (!caller.session)
        return html(reply, 400, page('New password', '<p>Sign in with a password first.</p>'));
      const next = safeNext(req.query.next, home);
      return html(
        reply,
        200,
        passwordPage(caller.name, caller.session.csrf, next, !!caller.mustChangePassword),
      );
    },
  );

  api.post(
    '/account/password',
    { ...needs('viewer', 'person.password'), schema: { hide: true, body: PasswordForm } },
    async (req, reply) => {
      const caller = req.caller!;
      const next = safeNext(req.body.next, home);
      const forced = !!caller.mustChangePassword;
      const again = (error: string, status: number) =>
        html(reply, status, passwordPage(caller.name, caller.session?.csrf ?? '', next, forced, error));
      if (!caller.session) return again('Sign in with a password first.', 400);
      if (req.body.password !== req.body.again) return again('The two new passwords differ.', 400);
      try {
        await people.changePassword(caller.name, req.body.current, req.body.password, actorOf(req));
      } catch (err) {
        if (err instanceof PeopleError) return again(err.message, err.status);
        throw err;
      }
      req.audited = true;
      // A new session after a new password: the old one was made with the password just replaced.
      const { cookie } = await people.startSession(caller.name, 'local', req.ip, sessionCookieOf(req.raw));
      reply.header('set-cookie', sessionCookie(req, cookie, people.sessions.absoluteMs / 1000));
      return reply.redirect(next, 303);
    },
  );
};
