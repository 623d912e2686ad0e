import { z } from 'zod';
import { AuditError } from '../errors.js';

/**
 * Response schemas for the read-only IAM endpoints (see shared/spec/segment-api.md),
 * checked at the boundary so nothing past the client ever sees an unchecked shape.
 * Objects are not strict: fields the API adds later are dropped, not fatal. A resource
 * `type` is any string, so an unknown type is kept as data.
 */

const label = z.object({ key: z.string(), value: z.string() });

const resource = z.object({
  id: z.string(),
  type: z.string(),
  labels: z.array(label).optional(),
});

const permissionSchema = z.object({
  roleId: z.string(),
  roleName: z.string(),
  resources: z.array(resource),
  labels: z.array(label).optional(),
});

const paginationSchema = z.object({
  current: z.string().nullish(),
  next: z.string().nullish(),
  previous: z.string().nullish(),
  totalEntries: z.number().int().nonnegative().nullish(),
});

const workspace = z.object({ id: z.string(), slug: z.string(), name: z.string() });
const role = z.object({ id: z.string(), name: z.string(), description: z.string() });
const user = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  permissions: z.array(permissionSchema).optional(),
});
const memberUser = z.object({ id: z.string(), name: z.string(), email: z.string() });
const userGroup = z.object({
  id: z.string(),
  name: z.string(),
  memberCount: z.number().int().nonnegative(),
  permissions: z.array(permissionSchema).optional(),
});
const groupRef = z.object({ id: z.string(), name: z.string() });

export const schemas = {
  workspace: z.object({ workspace }),
  roles: z.object({ roles: z.array(role), pagination: paginationSchema }),
  users: z.object({ users: z.array(user), pagination: paginationSchema }),
  user: z.object({ user }),
  userGroupsOfUser: z.object({ groups: z.array(groupRef), pagination: paginationSchema }),
  invites: z.object({ invites: z.array(z.string()), pagination: paginationSchema }),
  userGroups: z.object({ userGroups: z.array(userGroup), pagination: paginationSchema }),
  userGroup: z.object({ userGroup }),
  groupMembers: z.object({ users: z.array(memberUser), pagination: paginationSchema }),
  groupInvites: z.object({ emails: z.array(z.string()), pagination: paginationSchema }),
} as const;

/** The error envelope: `{errors: [{type, message, field?, data?}]}`; loose, it is only read for text. */
export const errorEnvelopeSchema = z.object({
  errors: z.array(
    z.object({
      type: z.string().optional(),
      message: z.string().optional(),
      field: z.string().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});

export type ApiPermission = z.infer<typeof permissionSchema>;
export type ApiPagination = z.infer<typeof paginationSchema>;
export type ApiWorkspace = z.infer<typeof workspace>;
export type ApiRole = z.infer<typeof role>;
export type ApiUser = z.infer<typeof user>;
export type ApiMemberUser = z.infer<typeof memberUser>;
export type ApiUserGroup = z.infer<typeof userGroup>;
export type ApiGroupRef = z.infer<typeof groupRef>;

/** `users[17].email` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(body)' : out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * One readable line for the first problem zod found: "users[17].email is required" when
 * the field is absent, else "users[17].email: expected string, received number".
 */
function describeIssue(error: z.ZodError, data: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match the documented shape';
  const where = formatPath(issue.path);
  if (issue.code === 'invalid_type' && valueAt(data, issue.path) === undefined) return `${where} is required`;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
  return `${where}: ${issue.message.replace(/^Invalid input: /, '')}${more}`;
}

/** Validates `data` at the boundary; a mismatch is API_MALFORMED naming the request and the field. */
export function checked<S extends z.ZodType>(schema: S, data: unknown, label: string): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new AuditError('API_MALFORMED', `${label}: ${describeIssue(result.error, data)}`, {
    details: { request: label, field: formatPath(result.error.issues[0]?.path ?? []) },
  });
}
