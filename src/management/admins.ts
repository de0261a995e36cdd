import { effectiveRoles, isFullAccess } from '../config/roles.js';
import type { StoredRole, StoredUser } from '../config/schemas.js';
import { GatewayError } from '../errors.js';

/** The enabled users whose role holds `*` under `roles` (as stored: the built-ins are filled in). */
function enabledAdmins(users: readonly StoredUser[], roles: readonly StoredRole[]): number {
  const full = new Set(effectiveRoles(roles).filter(isFullAccess).map((role) => role.id));
  return users.filter((user) => !user.disabled && full.has(user.role)).length;
}

/**
 * Refuses (409) a change that would leave no enabled user with `*`: nobody could then manage
 * users or roles again. Called inside the serialized config update, so two admins demoting
 * each other at the same moment cannot both succeed. A gateway that already had no admin (a
 * hand-edited file) is not held to it.
 */
export function assertAdminRemains(
  before: { users: readonly StoredUser[]; roles: readonly StoredRole[] },
  after: { users: readonly StoredUser[]; roles: readonly StoredRole[] },
  action: string,
): void {
  if (enabledAdmins(before.users, before.roles) > 0 && enabledAdmins(after.users, after.roles) === 0) {
    throw new GatewayError('conflict', `${action} would leave no enabled user with every permission (*): make another admin first`);
  }
}
