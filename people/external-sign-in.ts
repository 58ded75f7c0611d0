// Accounts of people an OpenID provider vouches for (issue 12): the first sign-in creates the account, a
// later one follows a role changed at the provider (ending the sessions made under the old one), and a
// refusal is recorded like a wrong password.
import { accountNameProblem } from './names.js';
import { type People, PeopleError } from './people.js';
import type { Account } from './people-store.js';
import type { Role } from './roles.js';
import { publicAccount } from './views.js';

/**
 * A person the identity provider vouched for, with the role its claims map to. Their first sign-in
 * creates their account; a later one follows a role changed at the provider.
 */
export async function signInExternal(
  people: People,
  subject: string,
  name: string,
  role: Role,
  address: string | null,
): Promise<Account> {
  const now = people.now();
  let account = await people.store.accountByOidcSubject(subject);
  if (!account) {
    const bad = accountNameProblem(name);
    if (bad) throw new PeopleError(`the identity provider's name for this person does not fit: ${bad}`, 403);
    account = {
      name,
      role,
      source: 'oidc',
      passwordHash: null,
      mustChangePassword: false,
      disabled: false,
      oidcSubject: subject,
      createdAt: now,
      updatedAt: now,
      lastSignInAt: now,
    };
    // Inserted only if the name is free: two sign-ins at once, or a local account of that name, lose.
    if (!(await people.store.createAccount(account)))
      throw new PeopleError(
        `an account '${name}' exists already and is not this person's at the identity provider`,
        409,
      );
    await people.audit({
      actor: name,
      role,
      via: 'oidc',
      address,
      action: 'person.add',
      target: name,
      before: null,
      after: publicAccount(account),
      outcome: 'ok',
    });
  } else {
    if (account.disabled) throw new PeopleError('the account is disabled: ask an administrator', 403);
    const before = account;
    account = {
      ...account,
      role,
      updatedAt: role === before.role ? before.updatedAt : now,
      lastSignInAt: now,
    };
    await people.store.putAccount(account);
    // As setRole: sessions made under the old role end, so it holds nowhere past this sign-in.
    if (role !== before.role) await people.store.deleteSessionsOf(account.name);
    if (role !== before.role)
      await people.record(
        { name: 'identity-provider', role: null, via: 'oidc', address },
        'person.role',
        name,
        publicAccount(before),
        publicAccount(account),
      );
  }
  await people.record(
    { name: account.name, role: account.role, via: 'oidc', address },
    'signin',
    account.name,
    null,
    { method: 'oidc' },
  );
  return account;
}

/** A refused OpenID Connect sign-in, for the trail. */
export async function refusedExternal(
  people: People,
  name: string,
  reason: string,
  address: string | null,
): Promise<void> {
  await people.record(
    { name: name, role: null, via: 'oidc', address },
    'signin.refused',
    name,
    null,
    { reason },
    'refused',
  );
}
