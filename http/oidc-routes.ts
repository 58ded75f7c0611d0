// OpenID Connect sign-in over HTTP (issue 12): `/auth/oidc/login` sends the browser to the city's identity
// provider with the flow's secrets in a short-lived cookie; `/auth/oidc/callback` finishes it, creates or
// updates the person's account (people/oidc.ts) and starts a session like a password sign-in does.
import { parse as parseCookies, serialize } from 'cookie';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  OIDC_PENDING_COOKIE,
  OIDC_PENDING_COOKIE_OPTIONS,
  OidcError,
  type OidcSignIn,
  safeNext,
  settleOidcSignIn,
} from '../people/oidc.js';
import type { People } from '../people/people.js';
import { needs } from './access.js';
import { sendError } from './errors.js';
import { sessionCookieOf } from './identity.js';
import { sessionCookie, signInHtml } from './signin.js';

export interface OidcRoutesOptions {
  people: People;
  oidc: OidcSignIn;
  /** The provider's name on the sign-in page's button. */
  label: string;
  home: string;
  /** `…/auth/oidc/callback` exactly as registered at the provider. */
  redirectUri: string;
}

const pendingCookie = (req: FastifyRequest, value: string, maxAge?: number) =>
  serialize(OIDC_PENDING_COOKIE, value, {
    ...OIDC_PENDING_COOKIE_OPTIONS,
    secure: req.protocol === 'https',
    ...(maxAge !== undefined ? { maxAge } : {}),
  });

export const oidcRoutesPlugin: FastifyPluginAsync<OidcRoutesOptions> = async (app, o) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/auth/oidc/login',
    { ...needs('public'), schema: { hide: true, querystring: z.object({ next: z.string().optional() }) } },
    async (req, reply) => {
      try {
        const { url, pending } = await o.oidc.begin(safeNext(req.query.next, o.home));
        reply.header('set-cookie', pendingCookie(req, pending));
        return reply.redirect(url, 302);
      } catch (err) {
        if (err instanceof OidcError) return sendError(reply, 'unavailable', err.message);
        throw err;
      }
    },
  );

  api.get('/auth/oidc/callback', { ...needs('public'), schema: { hide: true } }, async (req, reply) => {
    const pending = req.headers.cookie ? parseCookies(req.headers.cookie)[OIDC_PENDING_COOKIE] : undefined;
    // Used once, whatever happens next.
    const cleared = pendingCookie(req, '', 0);
    // The registered address with the provider's answer: the token request must name that very address,
    // which behind a reverse proxy is not the one this process sees.
    const here = new URL(o.redirectUri);
    here.search = new URL(req.url, 'http://callback.invalid').search;
    const outcome = await o.oidc.finish(here, pending);
    const settled = await settleOidcSignIn(o.people, outcome, req.ip);
    if (!settled.ok) {
      reply.header('set-cookie', cleared);
      return reply
        .code(403)
        .type('text/html; charset=utf-8')
        .send(signInHtml(settled.next, { label: o.label }, settled.reason));
    }
    const { cookie } = await o.people.startSession(
      settled.account.name,
      'oidc',
      req.ip,
      sessionCookieOf(req.raw),
    );
    reply.header('set-cookie', [cleared, sessionCookie(req, cookie, o.people.sessions.absoluteMs / 1000)]);
    return reply.redirect(settled.next, 303);
  });
};
