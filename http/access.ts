// Every route says who may call it (issue 12): `config.access` is a role, or `public` for the few that
// need nobody (health, the sign-in page, the API's documentation). Every write also names the action its
// audit entry records. A route that says neither is refused when it is added, so the server cannot start
// with a door nobody decided on, and the role matrix test (test/http/role-matrix.test.ts) walks them all.
import type { RouteOptions } from 'fastify';
import type { Access } from '../people/roles.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** `area.verb` of the audit entry a successful call appends (people/audit-chain.ts). */
    audit?: string;
  }
}

/** Route options for a route `access` may call; writes name their audit action. */
export function needs(access: Access, audit?: string) {
  return { config: { access, ...(audit ? { audit } : {}) } };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isWrite(method: string): boolean {
  return !READS.has(method.toUpperCase());
}

/** The documentation's routes, which @fastify/swagger-ui adds: public, like the API's description. */
const DOCS = /^\/docs(\/|$)/;

/** The onRoute hook that holds every route to the rule, filling in the documentation's. */
export function declaredAccess(route: RouteOptions): void {
  const methods = [route.method].flat();
  const config = (route.config ?? {}) as { access?: Access; audit?: string };
  if (config.access === undefined && DOCS.test(route.url)) {
    route.config = { ...config, access: 'public' };
    return;
  }
  const name = `${methods.join(',')} ${route.url}`;
  if (config.access === undefined)
    throw new Error(`route ${name} declares no access: give it needs(role) from http/access.ts`);
  if (config.access !== 'public' && methods.some(isWrite) && !config.audit)
    throw new Error(`route ${name} writes but names no audit action: give it needs(role, 'area.verb')`);
}
