/**
 * The README and docs/*.md: the README stays short, every link between documents (and
 * to files of the repository) resolves, nothing points outside the repository, and the
 * configuration page names exactly the variables the tests know (and, apart, the other
 * variables the configuration reads).
 */
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_ENVIRONMENT } from '../helpers/contract.js';
import { anchors, documents, links, prose, ROOT, read, tableVariables } from './markdown.js';

describe('the README', () => {
  const readme = read('README.md');

  it('is at most 1,500 words', () => {
    const words = readme.split(/\s+/).filter((w) => w !== '').length;
    expect(words).toBeGreaterThan(500);
    expect(words).toBeLessThanOrEqual(1500);
  });

  it('opens with the demo command, and links every page of docs/', () => {
    expect(/```sh\n([^\n]+)/.exec(readme)?.[1]).toBe('npm ci && npm run demo');
    const linked = new Set(links(readme).map((l) => l.split('#')[0]));
    for (const doc of documents().filter((d) => d !== 'README.md')) expect(linked, doc).toContain(doc);
  });

  it('names every configuration variable, and the privileged roles', () => {
    for (const name of CONTRACT_ENVIRONMENT) expect(readme, name).toContain(`\`${name}\``);
    expect(readme).toContain('`Workspace Owner`');
  });
});

describe('docs/configuration.md', () => {
  it('has one row per variable of the environment table, no more, no less', () => {
    const rows = tableVariables(read('docs/configuration.md'), 'Environment');
    expect([...rows].sort()).toEqual([...CONTRACT_ENVIRONMENT].sort());
  });

  it('has a row for every variable src/config.ts reads: the extras under their own heading', () => {
    const doc = read('docs/configuration.md');
    const extras = tableVariables(doc, 'Site address and metrics');
    expect([...extras].sort()).toEqual(['BIND_ADDRESS', 'METRICS_TOKEN']);
    const documented = new Set([...tableVariables(doc, 'Environment'), ...extras]);
    const names = [...read('src/config.ts').matchAll(/\b(?:text|secretText)\(env, '([A-Z][A-Z0-9_]*)'\)/g)];
    const readByConfig = names.map((m) => m[1]!);
    expect(readByConfig).toEqual(
      expect.arrayContaining(['SEGMENT_API_TOKEN', 'BIND_ADDRESS', 'METRICS_TOKEN']),
    );
    expect(readByConfig.filter((name) => !documented.has(name))).toEqual([]);
  });
});

describe('every document', () => {
  const docs = documents();

  it('includes the pages the README promises', () => {
    for (const page of ['cookbook', 'history', 'schema', 'reliability', 'architecture', 'operations']) {
      expect(docs).toContain(`docs/${page}.md`);
    }
  });

  it.each(docs)('%s: every relative link resolves, anchors included', (doc) => {
    const broken: string[] = [];
    for (const target of links(read(doc))) {
      if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto: not checked here
      const [file = '', anchor] = target.split('#');
      const path = file === '' ? doc : posix.normalize(posix.join(posix.dirname(doc), file));
      if (path.startsWith('..') || !existsSync(`${ROOT}${path}`)) broken.push(target);
      else if (anchor !== undefined && path.endsWith('.md') && !anchors(read(path)).has(anchor)) {
        broken.push(target);
      }
    }
    expect(broken).toEqual([]);
  });

  it.each(docs)('%s: refers to nothing outside the repository', (doc) => {
    const text = read(doc);
    expect(text).not.toMatch(/\.\.\/shared|shared\/spec|\bthe contract\b/i);
    // Paths in prose stay inside the repository too.
    expect(prose(text)).not.toMatch(/\]\(\.\.\/\.\.\//);
  });
});
