// What an identity provider's claims say about a person, in citygauge's terms: their role (the highest any
// value of the role claim maps to) and their account name. Pure: people/oidc.ts hands the claims in.
import { ROLES, type Role } from './roles.js';

/** Claim values (groups, app roles, …) that give each role; a role left out is given by none. */
export type RoleMapping = Partial<Record<Role, readonly string[]>>;

type Claims = Record<string, unknown>;

/**
 * A claim by name, or by a dotted path into nested claims (Keycloak's `realm_access.roles`). The whole name
 * is tried first: namespaced claims such as `https://city.example/roles` contain dots of their own.
 */
export function claimAt(claims: Claims, name: string): unknown {
  if (name in claims) return claims[name];
  let at: unknown = claims;
  for (const part of name.split('.')) {
    if (!at || typeof at !== 'object' || Array.isArray(at)) return undefined;
    at = (at as Claims)[part];
  }
  return at;
}

/** A claim's values as strings: providers send a single group as a string and several as an array. */
export function claimValues(claims: Claims, name: string): string[] {
  const value = claimAt(claims, name);
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** True when the claims carry the role claim at all (an ID token often leaves it to userinfo). */
export function hasClaim(claims: Claims, name: string): boolean {
  return claimAt(claims, name) !== undefined;
}

/** The highest role any of `values` maps to, or undefined when none does. */
export function roleFor(values: readonly string[], mapping: RoleMapping): Role | undefined {
  const held = new Set(values);
  for (let i = ROLES.length - 1; i >= 0; i--) {
    const role = ROLES[i];
    if (mapping[role]?.some((value) => held.has(value))) return role;
  }
  return undefined;
}

/** Every claim value the mapping knows, for a message telling a refused person what would let them in. */
export function mappedValues(mapping: RoleMapping): string[] {
  return [...new Set([...ROLES].reverse().flatMap((role) => mapping[role] ?? []))];
}

/** The first of the name claim, `email` and `sub` that is a non-empty string. */
export function nameFrom(claims: Claims, nameClaim: string): string | undefined {
  for (const name of new Set([nameClaim, 'email', 'sub'])) {
    const value = claimAt(claims, name);
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
