import { z } from 'zod';
import { AuditError } from '../errors.js';

/**
 * Response schemas for the read-only IAM endpoints, after the public SDK's models
 * (segmentio/public-api-sdk-typescript `model/*.ts`), checked at the boundary so nothing past
 * the client ever sees an unchecked shape. Objects are not strict: fields the API adds later
 * are dropped, not fatal. A resource `type` is any string, so an unknown type is kept as data.
 *
 * Every member the SDK marks optional (`name?:`) may come absent or null; both read as
 * absent (`undefined`), so code past the client asks one question ("is it there?").
 *
 * Strings are bounded (in UTF-16 units, as JavaScript counts them): a hostile or broken API
 * must not push megabyte names into memory, the database and report cells (an Excel cell
 * holds at most 32,767 characters). The limits sit far above anything Segment produces:
 * - ids, slugs, resource types, label keys and values: 256 (Segment ids are 27 characters);
 * - email addresses: 320 (RFC 5321: 64 for the local part, 255 for the domain);
 * - names (workspace, user, group, role, resource): 4,096;
 * - descriptions: 16,384 (free text, still one cell);
 * - cursors: 4,096 (they go back into the next request's query string).
 * Ids, emails and cursors past their bound fail the request (no real API sends them). Names
 * and descriptions are free text a workspace member sets for themselves: one past its bound is
 * cut and ends in '…', never fatal, so that nobody can switch the audit off with a long name.
 */

export const LIMITS = { id: 256, email: 320, name: 4096, description: 16_384, cursor: 4096 } as const;

const id = z.string().max(LIMITS.id);
const email = z.string().max(LIMITS.email);

/** `text` cut to `limit` UTF-16 units, the last one '…', never splitting a surrogate pair. */
function clampText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

const clamped = (limit: number) => z.string().transform((text) => clampText(text, limit));
const name = clamped(LIMITS.name);
const description = clamped(LIMITS.description);

/** The bounded strings, for schemas kept beside their endpoint (audit-events.ts, resources.ts). */
export const bounded = { id, email, name, description } as const;

/** An SDK-optional member: absent or null both read as `undefined`. */
export function optional<T extends z.ZodType>(schema: T) {
  return schema
    .nullish()
    .transform((v) => v ?? undefined)
    .optional();
}

const label = z.object({ key: id, value: id, description: optional(description) });

const resource = z.object({
  id,
  type: id,
  labels: optional(z.array(label)),
});

export const permissionSchema = z.object({
  roleId: id,
  roleName: name,
  resources: z.array(resource),
  labels: optional(z.array(label)),
});

const cursor = z.string().max(LIMITS.cursor);
export const paginationSchema = z.object({
  current: optional(cursor),
  next: optional(cursor),
  previous: optional(cursor),
  totalEntries: optional(z.number().int().nonnegative()),
});

const workspace = z.object({ id, slug: id, name });
const role = z.object({ id, name, description });
const user = z.object({ id, name, email, permissions: optional(z.array(permissionSchema)) });
const memberUser = z.object({ id, name, email });
const userGroup = z.object({
  id,
  name,
  memberCount: z.number().int().nonnegative(),
  permissions: optional(z.array(permissionSchema)),
});
const groupRef = z.object({ id, name });

export const schemas = {
  workspace: z.object({ workspace }),
  roles: z.object({ roles: z.array(role), pagination: paginationSchema }),
  users: z.object({ users: z.array(user), pagination: paginationSchema }),
  user: z.object({ user }),
  userGroupsOfUser: z.object({ groups: z.array(groupRef), pagination: paginationSchema }),
  invites: z.object({ invites: z.array(email), pagination: paginationSchema }),
  userGroups: z.object({ userGroups: z.array(userGroup), pagination: paginationSchema }),
  userGroup: z.object({ userGroup }),
  groupMembers: z.object({ users: z.array(memberUser), pagination: paginationSchema }),
  groupInvites: z.object({ emails: z.array(email), pagination: paginationSchema }),
} as const;

/**
 * The error envelope (`model/requestError.ts`): `{errors: [{type, message?, field?, data?,
 * status?}]}`. Loose, as it is only read for its text, the field and a 429's wait.
 */
export const errorEnvelopeSchema = z.object({
  errors: z.array(
    z.object({
      type: optional(z.string()),
      message: optional(z.string()),
      field: optional(z.string()),
      data: optional(z.unknown()),
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

/**
 * Validates `data` at the boundary (first through `fast`, when given); a mismatch is API_MALFORMED naming the request and the
 * field, a string beyond its bound API_TOO_LARGE (the value itself is never quoted).
 */
export function checked<S extends z.ZodType>(
  schema: S,
  data: unknown,
  label: string,
  fast?: (data: unknown) => z.infer<S> | undefined,
): z.infer<S> {
  // The hand-written check (fast-checks.ts) accepts what zod would accept unchanged; zod
  // decides everything else, so its errors stay the only ones.
  const quick = fast?.(data);
  if (quick !== undefined) return quick;
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = formatPath(issue?.path ?? []);
  if (issue?.code === 'too_big' && issue.origin === 'string') {
    const length = String(valueAt(data, issue.path) ?? '').length;
    throw new AuditError(
      'API_TOO_LARGE',
      `${label}: ${field} is ${length} characters long, more than the ${Number(issue.maximum)} accepted`,
      { details: { request: label, field } },
    );
  }
  throw new AuditError('API_MALFORMED', `${label}: ${describeIssue(result.error, data)}`, {
    details: { request: label, field },
  });
}
