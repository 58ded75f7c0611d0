// A person for tests that call the API as someone: an account with a role and a personal token, as an
// admin would make them with `citygauge users add` and `citygauge tokens issue`.
import type { Actor, People } from '../../people/people.js';
import type { Role } from '../../people/roles.js';

/** The command line, as the audit trail records a test's own setup. */
export const TEST_ACTOR: Actor = { name: 'cli:test', role: null, via: 'cli', address: null };

/** Adds `name` with `role` and returns a personal token (`cgt_…`) that acts as them. */
export async function personWithToken(people: People, name: string, role: Role): Promise<string> {
  await people.addLocal(name, role, TEST_ACTOR, 'correct horse battery staple');
  return (await people.issueToken(name, {}, TEST_ACTOR)).token;
}
