import type { MailRows } from './rows.js';

/**
 * The email's headline: the changes a reader must act on, one plain sentence each, named
 * by person. Each source of items is one function of the report rows, listed in
 * HEADLINE_SOURCES in the order they are shown; adding a kind of item is one line there.
 */
type HeadlineSource = (rows: MailRows) => string[];

/** "Workspace Owner granted to zoe@…": a privileged role gained or lost, once per person and role. */
function privilegedChanges(rows: MailRows): string[] {
  // Grants first: they are what an auditor acts on; a revocation is good news. A person
  // who gained the role through two groups is still one item.
  const granted = new Set<string>();
  const revoked = new Set<string>();
  for (const r of rows.permissionChanges) {
    if (!r.privileged) continue;
    if (r.change === 'granted') granted.add(`${r.roleName} granted to ${r.email}`);
    else revoked.add(`${r.roleName} revoked from ${r.email}`);
  }
  return [...granted, ...revoked];
}

const HEADLINE_SOURCES: readonly HeadlineSource[] = [privilegedChanges];

export function headlineItems(rows: MailRows): string[] {
  return HEADLINE_SOURCES.flatMap((source) => source(rows));
}
