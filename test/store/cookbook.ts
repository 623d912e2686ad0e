/** The questions and queries of docs/cookbook.md (for its test, and for a read-only role's test). */
export const COOKBOOK = new URL('../../docs/cookbook.md', import.meta.url);

/** Each `### ` question of the cookbook and the ```sql block under it. */
export function cookbookQueries(markdown: string): { question: string; sql: string }[] {
  const out: { question: string; sql: string }[] = [];
  const re = /^### (.+)$[\s\S]*?^```sql\n([\s\S]*?)^```/gm;
  for (const m of markdown.matchAll(re)) out.push({ question: m[1]!.trim(), sql: m[2]!.trim() });
  return out;
}
