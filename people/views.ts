// Accounts and tokens as lists, the API and the audit trail show them: never a password hash or a digest.
import type { Account, PersonalToken } from './people-store.js';

/** An account as lists, the API and the audit trail show it: never its password hash. */
export function publicAccount(a: Account) {
  return {
    name: a.name,
    role: a.role,
    source: a.source,
    disabled: a.disabled,
    mustChangePassword: a.mustChangePassword,
    createdAt: new Date(a.createdAt).toISOString(),
    lastSignInAt: a.lastSignInAt === null ? null : new Date(a.lastSignInAt).toISOString(),
  };
}

/** A token as lists and the audit trail show it: never its digest. */
export function publicToken(t: PersonalToken) {
  return {
    id: t.id,
    name: t.name,
    label: t.label,
    createdAt: new Date(t.createdAt).toISOString(),
    expiresAt: t.expiresAt === null ? null : new Date(t.expiresAt).toISOString(),
    lastUsedAt: t.lastUsedAt === null ? null : new Date(t.lastUsedAt).toISOString(),
  };
}
