/**
 * What an answer of the IAM write API means for the action that sent it, decided once.
 * A 404 means the target is already gone (the desired end state holds); 401/403 mean the
 * token may not write (stop everything, nothing else will pass either); 408 and 5xx leave
 * the outcome unknown (the write may have happened), so the action stays `planned` and
 * the next run reads the user before anything is sent again.
 */
export type WriteVerdict = 'applied' | 'gone' | 'forbidden' | 'unknown' | 'rejected';

export function verdictOf(status: number): WriteVerdict {
  if (status >= 200 && status < 300) return 'applied';
  if (status === 404) return 'gone';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 408 || status >= 500) return 'unknown';
  return 'rejected';
}

/** The API's own words from an errors envelope, for the action's `error` (bounded, one line). */
export function apiMessage(status: number, body: unknown): string {
  const first = (body as { errors?: { message?: unknown; type?: unknown }[] } | null)?.errors?.[0];
  const said =
    typeof first?.message === 'string' ? first.message : typeof first?.type === 'string' ? first.type : '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = said.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300);
  return `HTTP ${status}${clean ? `: ${clean}` : ''}`;
}
