/**
 * A validator for the part of OpenAPI 3.0 schemas that Segment's document uses for the
 * responses the simulator serves ($ref, allOf, type, nullable, enum, required,
 * properties, items, additionalProperties). Test-only; the fixture's `$ref`s are bare
 * component names.
 */
import { readFileSync } from 'node:fs';

export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  nullable?: boolean;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
}

export interface OpenApiSubset {
  /** `METHOD /path` → the 200 response's component name and the statuses the document lists. */
  operations: Record<string, { '200': string; statuses: string[] }>;
  schemas: Record<string, Schema>;
}

export function loadSubset(): OpenApiSubset {
  const url = new URL('./fixtures/segment-openapi-subset.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as OpenApiSubset;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function typeMatches(type: NonNullable<Schema['type']>, value: unknown): boolean {
  if (type === 'integer') return Number.isInteger(value);
  return typeOf(value) === type;
}

/** Every place where `value` breaks `schema`, as `path: reason` lines (empty: valid). */
export function validate(
  value: unknown,
  schema: Schema,
  schemas: OpenApiSubset['schemas'],
  at = '$',
): string[] {
  if (schema.$ref !== undefined) {
    const target = schemas[schema.$ref];
    if (!target) return [`${at}: unknown schema ${schema.$ref}`];
    return validate(value, target, schemas, at);
  }
  const errors = (schema.allOf ?? []).flatMap((s) => validate(value, s, schemas, at));
  if (value === null)
    return schema.nullable || schema.type === undefined ? errors : [...errors, `${at}: null`];
  if (schema.type !== undefined && !typeMatches(schema.type, value))
    return [...errors, `${at}: expected ${schema.type}, got ${typeOf(value)}`];
  if (schema.enum !== undefined && !schema.enum.includes(value))
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries())
      errors.push(...validate(item, schema.items, schemas, `${at}[${i}]`));
  }
  if (typeOf(value) === 'object')
    errors.push(...validateObject(value as Record<string, unknown>, schema, schemas, at));
  return errors;
}

function validateObject(
  value: Record<string, unknown>,
  schema: Schema,
  schemas: OpenApiSubset['schemas'],
  at: string,
): string[] {
  const errors: string[] = [];
  for (const name of schema.required ?? []) if (!(name in value)) errors.push(`${at}.${name}: required`);
  for (const [name, member] of Object.entries(value)) {
    const declared = schema.properties?.[name];
    if (declared) errors.push(...validate(member, declared, schemas, `${at}.${name}`));
    else if (schema.additionalProperties === false) errors.push(`${at}.${name}: not allowed`);
    else if (typeof schema.additionalProperties === 'object')
      errors.push(...validate(member, schema.additionalProperties, schemas, `${at}.${name}`));
  }
  return errors;
}
