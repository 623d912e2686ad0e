import type { Label } from '../model/workspace.js';

/**
 * A grant's label scope as one canonical text (`labels` in docs/schema.md): the union of
 * the permission's and its resource's labels, each `key:value`, sorted by code unit (the
 * same order whatever the locale), without duplicates, joined by `,`; '' when none.
 * Labels are part of a grant's identity, so equal scopes must give equal text however the
 * API ordered or repeated them.
 */
export function canonicalLabels(...lists: (readonly Label[] | undefined)[]): string {
  const all = new Set<string>();
  for (const list of lists) for (const l of list ?? []) all.add(`${l.key}:${l.value}`);
  if (all.size === 0) return '';
  return [...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
}
