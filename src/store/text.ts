import { oneLine } from '../text/one-line.js';

/**
 * PostgreSQL's text and jsonb cannot hold U+0000 (text: "invalid byte sequence", jsonb:
 * "unsupported Unicode escape sequence"). A workspace name, user name or email holding
 * one (anyone can type a control character into their own display name) must not make
 * every audit fail, so it is stored as U+FFFD, the replacement character: visibly marked,
 * and the same every time, so the diff sees no change from one snapshot to the next.
 */

const REPLACEMENT = '\uFFFD';

/**
 * `value` with every U+0000 in its strings replaced; the same object when there is none.
 * Walks a whole picture (hundreds of thousands of objects) without allocating for those
 * that need no change (no entry arrays): a copy is made only on the way back from a NUL.
 */
export function storable<T>(value: T): T {
  if (typeof value === 'string')
    return (value.includes('\u0000') ? value.replaceAll('\u0000', REPLACEMENT) : value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const safe = storable(item);
      if (safe !== item) {
        out ??= [...value];
        out[i] = safe;
      }
    }
    return (out ?? value) as T;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const source = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    for (const key in source) {
      if (!Object.hasOwn(source, key)) continue;
      const item = source[key];
      const safe = storable(item);
      const safeKey = storable(key);
      if (safe !== item || safeKey !== key) {
        out ??= { ...source };
        if (safeKey !== key) delete out[key];
        out[safeKey] = safe;
      }
    }
    return (out ?? value) as T;
  }
  return value;
}

/** An error message as a row keeps it: one line, at most 2,000 characters. */
export function storedMessage(message: string): string {
  return oneLine(message).slice(0, 2000);
}
