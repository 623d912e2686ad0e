/**
 * Hostile workspace data through the whole pipeline: names that look like spreadsheet
 * formulas reach the workbook as plain text (no formula element anywhere), and markup in
 * the workspace's name is escaped in the email's HTML.
 */
import { readFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/pipeline/run-audit.js';
import { sheetXml } from '../report/xlsx-helpers.js';
import { at, type Harness, readSheets, records, startHarness, summaryOf } from './helpers.js';

const FORMULAS = ['=HYPERLINK("http://x","y")', '+1', '-2', '@SUM(A1)', '=1+1', '\t=cmd|calc'];
const SCRIPT = '<script>alert("x")</script> & <b>Co</b>';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: 11, users: 12, groups: 2, invites: 2, groupInvites: 1 });
});
afterAll(async () => {
  await h?.close();
});

/** The Public API as seen through a proxy that renames the workspace (the simulator cannot). */
const renamingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.pathname !== '/' || response.status !== 200) return response;
  const body = (await response.json()) as { data: { workspace: { name: string } } };
  body.data.workspace.name = SCRIPT;
  return new Response(JSON.stringify(body), { status: 200, headers: response.headers });
};

describe('injection through the whole pipeline', () => {
  let run: RunResult;
  const renamed = new Map<string, string>();

  it('formula-like names are text in every sheet', async () => {
    const t = h.sim.truth();
    const users = t.users.filter((u) => u.permissions.length > 0).slice(0, FORMULAS.length);
    expect(users).toHaveLength(FORMULAS.length);
    for (const [i, u] of users.entries()) {
      const name = FORMULAS[i] as string;
      await h.admin.updateUser(u.id, { name });
      renamed.set(u.id, name);
    }
    const group = await h.admin.createGroup('=SUM(1,2)');
    const role = t.roles.find((r) => r.name === 'Workspace Member');
    if (!role || !users[0]) throw new Error('seeded workspace does not fit');
    await h.admin.addGroupPermissions(group.id, [
      { roleId: role.id, resources: [{ id: t.workspace.id, type: 'WORKSPACE' }] },
    ]);
    await h.admin.addGroupMembers(group.id, [users[0].email]);
    await h.admin.createInvites([{ email: '=1+2@example.org' }]);

    run = await h.run(at(0), {}, { fetch: renamingFetch });
    expect(run.workspaceName).toBe(SCRIPT);

    // No formula element in any sheet's XML.
    for (const [name, xml] of await sheetXml(run.reportPath)) {
      expect(xml, name).not.toMatch(/<f[\s>]/);
    }
    const wb = await readSheets(run.reportPath);
    const access = records(wb.rows.get('Access Review'));
    for (const [id, name] of renamed) {
      const rows = access.filter((r) => r['User ID'] === id);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.Name).toBe(name);
    }
    expect(access.some((r) => String(r.Via).split('; ').includes('=SUM(1,2)'))).toBe(true);
    expect(records(wb.rows.get('Invites')).some((r) => r.Email === '=1+2@example.org')).toBe(true);
    expect(summaryOf(wb.rows.get('Summary')).get('Workspace name')).toBe(SCRIPT);
  });

  it('the next run reports the renames as changes, still as text', async () => {
    const t = h.sim.truth();
    const someone = t.users.find((u) => !renamed.has(u.id) && u.permissions.length > 0);
    if (!someone) throw new Error('seeded workspace does not fit');
    await h.admin.updateUser(someone.id, { name: '-2+3' });
    await h.admin.replaceUserPermissions(someone.id, []);
    const next = await h.run(at(1), {}, { fetch: renamingFetch });
    expect(next.changes).toMatchObject({ user_changed: 1, permission_revoked: expect.any(Number) });
    for (const [name, xml] of await sheetXml(next.reportPath)) {
      expect(xml, name).not.toMatch(/<f[\s>]/);
    }
    const wb = await readSheets(next.reportPath);
    const pc = records(wb.rows.get('Permission Changes'));
    expect(pc.length).toBeGreaterThan(0);
    expect(pc.every((r) => r['User ID'] === someone.id && r.Change === 'revoked')).toBe(true);
  });

  it('markup in the workspace name is escaped in the email HTML', async () => {
    if (run.email.status !== 'outbox') throw new Error(`email ${run.email.status}`);
    const m = await simpleParser(await readFile(run.email.path));
    const html = String(m.html);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>Co</b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;');
    // The subject and the text body carry it as plain text.
    expect(m.subject).toContain(SCRIPT);
    expect(m.text).toContain(SCRIPT);
  });
});
