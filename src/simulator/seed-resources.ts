/**
 * The resources of a generated workspace: every source, warehouse, space and function
 * has a name and a slug; some sources carry resource labels from the label catalogue.
 * Ids come from the workspace stream and details from their own, so adding a detail
 * never moves an id (and with it the grants of every user).
 */
import type { Label } from '../model/workspace.js';
import type { Random } from './prng.js';
import type { InstanceType, ResourceRecord } from './records.js';
import {
  type CatalogKind,
  FUNCTION_NAMES,
  LABELS,
  SOURCES,
  SPACE_NAMES,
  WAREHOUSES,
} from './resource-catalog.js';

const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** 0–2 resource labels: an environment for most sources, sometimes a team or region too. */
function sourceLabels(details: Random): Label[] {
  const labels: Label[] = [];
  const pick = (key: string) => details.pick(LABELS.filter((l) => l.key === key));
  if (details.chance(0.7)) labels.push({ key: 'environment', value: pick('environment').value });
  if (details.chance(0.3)) {
    const extra = pick(details.pick(['team', 'region']));
    labels.push({ key: extra.key, value: extra.value });
  }
  return labels;
}

export function makeResources(
  ids: Random,
  details: Random,
  workspaceSlug: string,
): Record<InstanceType, ResourceRecord[]> {
  const make = (type: InstanceType, entries: readonly { name: string; kind?: CatalogKind }[]) =>
    entries.map(({ name, kind }): ResourceRecord => {
      const record: ResourceRecord = {
        id: ids.id(22),
        type,
        name,
        slug: type === 'SOURCE' ? `${slugOf(name)}-${workspaceSlug}` : slugOf(name),
        enabled: details.chance(0.9),
        labels: type === 'SOURCE' ? sourceLabels(details) : [],
        writeKeys: type === 'SOURCE' ? [details.id(32)] : [],
      };
      if (kind) record.kind = kind;
      return record;
    });
  return {
    SOURCE: make('SOURCE', SOURCES),
    SPACE: make(
      'SPACE',
      SPACE_NAMES.map((name) => ({ name })),
    ),
    WAREHOUSE: make('WAREHOUSE', WAREHOUSES),
    FUNCTION: make(
      'FUNCTION',
      FUNCTION_NAMES.map((name) => ({ name })),
    ),
  };
}
