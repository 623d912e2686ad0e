import type { PermissionChangeRow } from '../model/report-data.js';
import { causeWords } from '../text/cause-words.js';

/**
 * Permission Changes folded for a reader: one line per person × cause × direction
 * ("ex.employee@… | user removed | lost 9 grants"), privileged ones first. The sheet
 * keeps every row; the email says who and why.
 */
export interface ChangeGroup {
  person: string;
  /** The cause in plain words (text/cause-words.ts), as the report's Cause column says it. */
  what: string;
  /** What was gained or lost: the roles when few, a count when many. */
  access: string;
  privileged: boolean;
}

/** Roles named in full up to this many per line; more become a count. */
const NAMED_GRANTS = 2;

function grantName(r: PermissionChangeRow): string {
  const on = r.resourceName ?? `${r.resourceType} ${r.resourceId}`;
  return `${r.roleName} on ${on}${r.labels === '' ? '' : ` (${r.labels})`}`;
}

/** "gained Workspace Owner on Acme", "lost 9 grants, including Source Admin". */
function accessText(rows: readonly PermissionChangeRow[]): string {
  const verb = rows[0]?.change === 'revoked' ? 'lost' : 'gained';
  if (rows.length <= NAMED_GRANTS) return `${verb} ${rows.map(grantName).join('; ')}`;
  const privileged = [...new Set(rows.filter((r) => r.privileged).map((r) => r.roleName))];
  const including = privileged.length === 0 ? '' : `, including ${privileged.join(', ')}`;
  return `${verb} ${rows.length} grants${including}`;
}

export function changesByPerson(rows: readonly PermissionChangeRow[]): ChangeGroup[] {
  const groups = new Map<string, PermissionChangeRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.email, causeWords(r), r.change]);
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const out = [...groups.values()].map((list) => {
    const first = list[0] as PermissionChangeRow;
    return {
      person: first.email,
      what: causeWords(first),
      access: accessText(list),
      privileged: list.some((r) => r.privileged),
    };
  });
  return out.sort(
    (a, b) =>
      Number(b.privileged) - Number(a.privileged) ||
      a.person.localeCompare(b.person) ||
      a.what.localeCompare(b.what) ||
      a.access.localeCompare(b.access),
  );
}
