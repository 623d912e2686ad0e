/**
 * Rows become domain records in one place: a table's snake_case columns are its record's
 * camelCase fields, so a mapper lists only what differs (a dropped column, a conversion)
 * instead of restating every column, and a new column cannot be forgotten in one mapper.
 */

type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S;

export type CamelRow<R> = { [K in keyof R as Camel<K & string>]: R[K] };

export function camelRow<R extends object>(row: R): CamelRow<R> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row))
    out[key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = value;
  return out as CamelRow<R>;
}

type Snake<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<Rest>}`
  : S;

export type SnakeRow<R> = { [K in keyof R as Snake<K & string>]: R[K] };

/** The way back: a record's fields as its table's columns, for an insert. */
export function snakeRow<R extends object>(record: R): SnakeRow<R> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record))
    out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value;
  return out as SnakeRow<R>;
}
