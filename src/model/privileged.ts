/**
 * What "privileged" means, in one place: a role whose name is in the list (PRIVILEGED_ROLES,
 * or the default below), held on the WORKSPACE resource, i.e. workspace-wide. The store
 * sets each row's `privileged` from it; the report's flags and order, the download site's
 * privileged-grants figure and the email's headline all follow those rows.
 */

/**
 * Workspace Owner, and the admin roles that, held workspace-wide, reach customer data or
 * credentials: every source's write key and live events, every space's profiles, every
 * warehouse's credentials, code that runs on every event. Left out: read-only roles,
 * Workspace Member (access comes from its other grants), Engage User, and Tracking Plan
 * Admin (it edits event definitions, not data or access).
 */
export const DEFAULT_PRIVILEGED_ROLES: readonly string[] = Object.freeze([
  'Workspace Owner',
  'Source Admin',
  'Unify and Engage Admin',
  'Warehouse Destination Admin',
  'Functions Admin',
]);

/** Role names compare without regard to case or surrounding spaces. */
export const roleKey = (name: string): string => name.trim().toLowerCase();

/** The test a row of access passes to be privileged, built once from the list in force. */
export function privilegedTest(
  roles: readonly string[],
): (roleName: string, resourceType: string) => boolean {
  const keys = new Set(roles.map(roleKey));
  return (roleName, resourceType) => resourceType === 'WORKSPACE' && keys.has(roleKey(roleName));
}

/** The rule in words, for the report's Summary and the email. */
export function privilegedRuleText(roles: readonly string[]): string {
  return `a role held on the whole workspace (WORKSPACE resource) named ${roles.join(', ')}`;
}
