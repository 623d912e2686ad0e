/** The questions and queries of the README's SQL cookbook (for its test, and for a read-only role's test). */
export const COOKBOOK = new URL('../../README.md', import.meta.url);

/** The `### ` questions and the ```sql block under each, within the `## SQL cookbook` section. */
export function cookbookQueries(markdown: string): { question: string; sql: string }[] {
  const start = markdown.indexOf('\n## SQL cookbook\n');
  if (start === -1) throw new Error('README.md has no "## SQL cookbook" section');
  const rest = markdown.slice(start + 1);
  const end = rest.indexOf('\n## ', 3);
  const section = end === -1 ? rest : rest.slice(0, end + 1);
  const out: { question: string; sql: string }[] = [];
  const re = /^### (.+)$[\s\S]*?^```sql\n([\s\S]*?)^```/gm;
  for (const m of section.matchAll(re)) out.push({ question: m[1]!.trim(), sql: m[2]!.trim() });
  return out;
}
