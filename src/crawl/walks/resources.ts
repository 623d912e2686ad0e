import { isAuditError } from '../../errors.js';
import type { ResourceName } from '../../model/workspace.js';
import { type ApiWarehouse, collect, type SegmentClient } from '../../segment/index.js';
import type { CrawlState } from '../state.js';

/**
 * The names of the resources grants point at, for reports people can read: one list per
 * kind, side by side with the other walks. A list the token may not read (401/403), or that
 * the workspace does not have (404: `GET /spaces` is an alpha endpoint that needs the Spaces
 * feature), leaves its resources named by id only: its path goes to
 * completeness.unreadableResourceLists, with a warning, and the crawl goes on. Names are for
 * reading; no grant depends on them, so a missing list must not stop the audit. A wrong base
 * URL still fails first, at GET /. Any other failure fails the crawl like any list.
 *
 * Functions are not listed: `GET /functions` requires a `resourceType` parameter (the SDK's
 * listFunctions, api/functionsApi.ts) and lists one function kind at a time; functions in
 * grants stay named by id. The workspace's own name comes from GET / (at assembly).
 */

interface ResourceList {
  path: string;
  /** Every name of the list; nothing is named before the whole list has been read. */
  read(client: SegmentClient, onPage: () => void): Promise<ResourceName[]>;
}

const LISTS: readonly ResourceList[] = [
  {
    path: '/sources',
    read: async (client, onPage) =>
      // SourceV1.name is optional; the slug is how the Segment app names a source without one.
      (await collect(client.listSources(), onPage)).items.map((s) => ({
        type: 'SOURCE',
        id: s.id,
        name: s.name ?? s.slug,
      })),
  },
  {
    path: '/warehouses',
    read: async (client, onPage) =>
      (await collect(client.listWarehouses(), onPage)).items.map((w) => ({
        type: 'WAREHOUSE',
        id: w.id,
        name: warehouseName(w),
      })),
  },
  {
    path: '/spaces',
    read: async (client, onPage) =>
      (await collect(client.listSpaces(), onPage)).items.map((s) => ({
        type: 'SPACE',
        id: s.id,
        name: s.name,
      })),
  },
  {
    path: '/labels',
    read: async (client, onPage) => {
      const labels = await client.listLabels();
      onPage();
      return labels.map((l) => ({ type: 'LABEL', id: `${l.key}:${l.value}`, name: l.description ?? '' }));
    },
  },
];

const UNREADABLE = ['API_UNAUTHORIZED', 'API_FORBIDDEN', 'API_NOT_FOUND'] as const;

export function walkResources(s: CrawlState): void {
  for (const list of LISTS) {
    s.tasks.spawn(async () => {
      try {
        const names = await list.read(s.client, () => s.tracker.pages++);
        for (const name of names) s.walked.nameResource(name);
      } catch (error) {
        if (!UNREADABLE.some((code) => isAuditError(error, code))) throw error;
        s.walked.unreadableResourceLists.push(list.path);
        s.logger?.warn(
          { list: list.path },
          'the token may not read a resource list; those resources keep ids only',
        );
      }
    });
  }
}

/**
 * The instance's own name (settings.name) when it has one, else its kind's name
 * (metadata.name, e.g. "Snowflake"): WarehouseV1 has no name member of its own.
 */
function warehouseName(w: ApiWarehouse): string {
  const own = w.settings?.name;
  return own !== undefined && own.trim() !== '' ? own : w.metadata.name;
}
