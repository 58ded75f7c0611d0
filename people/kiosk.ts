// A video wall's browser runs unattended for months: a password session would end after its absolute time
// and leave the wall on the sign-in page. So a wall signs in once with a viewer's personal token, kept in an
// HTTP-only cookie for the dashboard only. It lives as long as the token: revoking the token, disabling
// its account or giving it another role ends it at once. Only a viewer's token is taken, so an unattended
// screen can never act.

import type { People } from './people.js';
import type { Account, PersonalToken } from './people-store.js';

/** The cookie the wall's browser keeps its token in, sent to the dashboard only. */
export const KIOSK_COOKIE = 'cg_kiosk';
/** Where the dashboard sends a wall's browser: its rotating wall page. */
export const KIOSK_HOME = '/dashboard/wall';

export type KioskSignIn =
  | { ok: true; account: Account; token: PersonalToken }
  | { ok: false; status: 401 | 403; reason: string };

const NOT_VALID = 'the token is not valid (mistyped, expired, revoked, or its person is disabled)';

/** The wall's sign-in with `token`: audited either way, like a password sign-in. */
export async function kioskSignIn(
  people: People,
  token: string,
  address: string | null,
): Promise<KioskSignIn> {
  const found = await people.tokenAccount(token);
  const refuse = async (
    status: 401 | 403,
    reason: string,
    actor: Account | undefined,
  ): Promise<KioskSignIn> => {
    await people.audit({
      actor: actor?.name ?? 'unknown',
      role: actor?.role ?? null,
      via: 'token',
      address,
      action: 'signin.refused',
      target: actor?.name ?? null,
      before: null,
      after: { reason, method: 'kiosk' },
      outcome: 'refused',
    });
    return { ok: false, status, reason };
  };
  if (!found) return refuse(401, NOT_VALID, undefined);
  const { account, token: record } = found;
  if (account.role !== 'viewer')
    return refuse(
      403,
      `a wall signs in with a viewer's token, and '${account.name}' is ${account.role === 'admin' ? 'an' : 'a'} ${account.role}: issue a token for a viewer account (citygauge users add wall --role viewer; citygauge tokens issue wall)`,
      account,
    );
  await people.audit({
    actor: account.name,
    role: account.role,
    via: 'token',
    address,
    action: 'signin',
    target: account.name,
    before: null,
    after: { method: 'kiosk', token: record.id },
    outcome: 'ok',
  });
  return { ok: true, account, token: record };
}

/** The viewer behind a wall's cookie, checked anew each time: undefined once it no longer holds. */
export async function kioskViewer(people: People, token: string): Promise<Account | undefined> {
  const found = await people.tokenAccount(token);
  return found?.account.role === 'viewer' ? found.account : undefined;
}
