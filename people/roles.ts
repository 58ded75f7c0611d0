// The four roles of the people who use citygauge (issue 12), each allowed all the one before it may do:
// viewers watch, operators act on alerts, engineers change the device registry, admins change the city's
// settings and the people themselves.
import { z } from 'zod';

export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** What a route needs: a role, or nothing at all (health, the sign-in page, the API's documentation). */
export type Access = Role | 'public';

/** True when `have` may do what `need` allows. */
export function allows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** What each role adds, for messages and the documentation. */
export const ROLE_GRANTS: Record<Role, string> = {
  viewer: 'the dashboard, the report and the read API',
  operator: 'acknowledging alerts',
  engineer: 'registering, uploading, changing, deleting and rotating devices',
  admin: 'thresholds, the scorecard, people, tokens and the flows editor',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
