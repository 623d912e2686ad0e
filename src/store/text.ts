/**
 * PostgreSQL's text and jsonb cannot hold U+0000 (text: "invalid byte sequence", jsonb:
 * "unsupported Unicode escape sequence"). A workspace name, user name or email holding
 * one (anyone can type a control character into their own display name) must not make
 * every audit fail, so it is stored as U+FFFD, the replacement character: visibly marked,
 * and the same every time, so the diff sees no change from one snapshot to the next.
 */
const REPLACEMENT = '\uFFFD';

/** `value` with every U+0000 in its strings replaced; the same object when there is none. */
export function storable<T>(value: T): T {
  if (typeof value === 'string')
    return (value.includes('\u0000') ? value.replaceAll('\u0000', REPLACEMENT) : value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const safe = storable(item);
      if (safe !== item) {
        out ??= [...value];
        out[i] = safe;
      }
    });
    return (out ?? value) as T;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    let out: Record<string, unknown> | undefined;
    for (const [key, item] of Object.entries(value)) {
      const safe = storable(item);
      const safeKey = storable(key);
      if (safe !== item || safeKey !== key) {
        out ??= { ...(value as Record<string, unknown>) };
        if (safeKey !== key) delete out[key];
        out[safeKey] = safe;
      }
    }
    return (out ?? value) as T;
  }
  return value;
}
