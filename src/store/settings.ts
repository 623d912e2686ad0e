/**
 * audit.settings (migration 0013): the one row of configuration SQL itself needs. Today
 * the privileged role names, so audit.is_privileged, the views and the cookbook follow the
 * same PRIVILEGED_ROLES as the report; the list written by the latest command to open the
 * database is the one in force.
 */
import { type Kysely, sql } from 'kysely';
import { roleKey } from '../model/privileged.js';
import { attempt } from './errors.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** Writes the privileged role names (compared lower-cased and trimmed, as the report does). */
export async function recordPrivilegedRoles(db: Db, roles: readonly string[]): Promise<void> {
  const keys = [...new Set(roles.map(roleKey))];
  // No write when nothing changed: most commands find the list they left.
  await attempt('recording PRIVILEGED_ROLES in audit.settings', () =>
    sql`
      INSERT INTO audit.settings AS s (id, privileged_roles) VALUES (true, ${keys}::text[])
      ON CONFLICT (id) DO UPDATE SET privileged_roles = EXCLUDED.privileged_roles
       WHERE s.privileged_roles IS DISTINCT FROM EXCLUDED.privileged_roles`.execute(db),
  );
}
