/**
 * The resource list endpoints the audit reads names from, shaped like the SDK's models:
 * `GET /sources` (SourceV1), `GET /warehouses` (WarehouseV1), `GET /spaces` (Space) are
 * paginated; `GET /labels` (ListLabelsV1Output) is not: the SDK's listLabels takes no
 * pagination and its output has no `pagination`. `PATCH /sources/{id}` (updateSource)
 * renames a source, so tests can show a name at the time of a snapshot.
 */
import { invalid, isRecord, type Reply } from './http.js';
import type { ResourceRecord } from './records.js';
import type { CatalogKind } from './resource-catalog.js';
import type { Route } from './router.js';
import { list, read } from './routes-read.js';
import type { WorkspaceState } from './state.js';

const LOGO_HOST = 'https://cdn.filepicker.io/api/file';

/** The parts of SourceMetadataV1 and WarehouseMetadataV1 they share. */
function kindMetadata(kind: CatalogKind | undefined, fallback: string): Record<string, unknown> {
  const k = kind ?? { id: fallback, name: fallback, slug: fallback, description: '' };
  return {
    id: k.id,
    name: k.name,
    slug: k.slug,
    description: k.description,
    logos: { default: `${LOGO_HOST}/${k.id}-default.svg`, mark: `${LOGO_HOST}/${k.id}-mark.svg` },
    options: [],
  };
}

/** A SourceV1; its labels carry the catalogue's descriptions (LabelV1). */
function sourceItem(r: ResourceRecord, state: WorkspaceState): unknown {
  const described = (key: string, value: string) =>
    state.labels().find((l) => l.key === key && l.value === value)?.description;
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    workspaceId: state.workspace.id,
    enabled: r.enabled,
    writeKeys: [...r.writeKeys],
    metadata: {
      ...kindMetadata(r.kind, 'source'),
      categories: [...(r.kind?.categories ?? [])],
      isCloudEventSource: r.kind?.isCloudEventSource ?? false,
      status: 'PUBLIC',
    },
    settings: {},
    labels: r.labels.map((l) => {
      const description = described(l.key, l.value);
      return description === undefined ? { ...l } : { ...l, description };
    }),
  };
}

function warehouseItem(r: ResourceRecord, workspaceId: string): unknown {
  // metadata.name is the kind ("Snowflake"); the instance's own name is in settings.
  return {
    id: r.id,
    workspaceId,
    enabled: r.enabled,
    metadata: kindMetadata(r.kind, 'warehouse'),
    settings: { name: r.name },
  };
}

export const resourceRoutes: Route[] = [
  read('/sources', (ctx) =>
    list(ctx, 'sources', ctx.state.resourceIds('SOURCE'), 'sources', (id) =>
      sourceItem(ctx.state.resource('SOURCE', id)!, ctx.state),
    ),
  ),
  read('/warehouses', (ctx) =>
    list(ctx, 'warehouses', ctx.state.resourceIds('WAREHOUSE'), 'warehouses', (id) =>
      warehouseItem(ctx.state.resource('WAREHOUSE', id)!, ctx.state.workspace.id),
    ),
  ),
  read('/spaces', (ctx) =>
    list(ctx, 'spaces', ctx.state.resourceIds('SPACE'), 'spaces', (id) => {
      const r = ctx.state.resource('SPACE', id)!;
      return { id: r.id, slug: r.slug, name: r.name };
    }),
  ),
  read(
    '/labels',
    (ctx): Reply => ({
      status: 200,
      data: { labels: ctx.state.labels().map((l) => ({ ...l })) },
      listKey: 'labels',
    }),
  ),
  {
    method: 'PATCH',
    template: '/sources/{id}',
    kind: 'write',
    handle: (ctx) => {
      const name = isRecord(ctx.body) ? ctx.body.name : undefined;
      if (typeof name !== 'string' || name.trim() === '')
        throw invalid('name must be a non-empty string', 'name');
      const source = ctx.state.renameSource(ctx.params.id!, name);
      return { status: 200, data: { source: sourceItem(source, ctx.state) } };
    },
  },
];
