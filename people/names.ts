// Account names: what people type to sign in and what the audit trail and the alert log show.
import { z } from 'zod';

/** Letters, digits and `. _ @ -`, so an e-mail address fits and nothing needs quoting in a log line. */
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

export const AccountNameSchema = z
  .string()
  .regex(
    ACCOUNT_NAME,
    'an account name is 1 to 100 letters, digits or . _ @ -, starting with a letter or digit',
  );

export function accountNameProblem(name: string): string | undefined {
  return ACCOUNT_NAME.test(name)
    ? undefined
    : `'${name}' is not an account name: use 1 to 100 letters, digits or . _ @ -, starting with a letter or digit`;
}
