import { z } from 'zod';
import { bounded, LIMITS, optional, paginationSchema } from './schemas.js';

/**
 * Response schemas of the resource lists the audit reads names from, checked against the
 * public SDK's models. Only what a name needs is kept (objects are not strict: write keys,
 * settings and the rest are dropped at the boundary, never held). As in schemas.ts,
 * optional members may be absent or null (both read as undefined) and strings are bounded.
 *
 * - `GET /sources` → ListSourcesV1Output `{sources: SourceV1[], pagination}`; SourceV1 has
 *   `id`, `slug` and an optional `name`.
 * - `GET /warehouses` → ListWarehousesV1Output `{warehouses: WarehouseV1[], pagination}`;
 *   WarehouseV1's `metadata` (WarehouseMetadataV1) describes the warehouse's *kind*
 *   ("Snowflake"); the instance's own name, when it has one, is `settings.name`.
 * - `GET /spaces` → ListSpacesAlphaOutput `{spaces: Space[], pagination}`; Space has
 *   `id`, `slug`, `name`.
 * - `GET /labels` → ListLabelsV1Output `{labels: LabelV1[]}`: no pagination (the SDK's
 *   listLabels takes no pagination parameter); LabelV1 has `key`, `value`, `description?`.
 */

const id = z.string().max(LIMITS.id);
const name = bounded.name;

const source = z.object({ id, slug: id, name: optional(name) });
const warehouse = z.object({
  id,
  metadata: z.object({ name }),
  // Free-form per kind (WarehouseV1.settings): only `name` is read; anything but a
  // bounded string there reads as no name (the kind's name stands in), never a failure.
  settings: optional(z.object({ name: optional(name).catch(undefined) })),
});
const space = z.object({ id, slug: id, name });
const label = z.object({ key: id, value: id, description: optional(bounded.description) });

export const resourceSchemas = {
  sources: z.object({ sources: z.array(source), pagination: paginationSchema }),
  warehouses: z.object({ warehouses: z.array(warehouse), pagination: paginationSchema }),
  spaces: z.object({ spaces: z.array(space), pagination: paginationSchema }),
  labels: z.object({ labels: z.array(label) }),
} as const;

export type ApiSource = z.infer<typeof source>;
export type ApiWarehouse = z.infer<typeof warehouse>;
export type ApiSpace = z.infer<typeof space>;
export type ApiLabel = z.infer<typeof label>;
