/** Reading the repository's Markdown: the README and docs/*.md, their links and headings. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** README.md and every docs/*.md, as repository-relative paths. */
export function documents(): string[] {
  const docs = readdirSync(`${ROOT}docs`).filter((f) => f.endsWith('.md'));
  return ['README.md', ...docs.sort().map((f) => `docs/${f}`)];
}

export const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

/** Markdown without its fenced code blocks (links and headings inside them are not real). */
export function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** Targets of inline links and images: `[text](target)`. */
export function links(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

/**
 * The anchors a page offers: GitHub's slug of each heading (lower case, punctuation but
 * `-` and `_` dropped, spaces to `-`) and explicit `<a id="…">` tags.
 */
export function anchors(markdown: string): Set<string> {
  const text = prose(markdown);
  const out = new Set<string>();
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const heading = m[1]!.replace(/<[^>]+>/g, '').trim();
    out.add(
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  for (const m of text.matchAll(/<a id="([^"]+)">/g)) out.add(m[1]!);
  return out;
}

/** The variable names of the first column of the table under `## <heading>`. */
export function tableVariables(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) return [];
  const rest = markdown.slice(start + 1);
  const end = rest.indexOf('\n## ', 3);
  const section = end === -1 ? rest : rest.slice(0, end);
  return [...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]!);
}
