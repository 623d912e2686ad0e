/**
 * The download site's review upload over real HTTP, composed with the real import as
 * `serve` composes it: a report from a run against the simulated workspace, filled in with
 * exceljs, posted as multipart/form-data. Cross-site posts (no form token, a foreign
 * Origin, Sec-Fetch-Site cross-site) are refused 403 and record nothing; a body over the
 * limit is answered 413; the form with its token records the decisions.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRIVILEGED_ROLES } from '../../src/model/privileged.js';
import { importReview, importSummary } from '../../src/pipeline/review-import.js';
import { Secret } from '../../src/secret.js';
import { type RunningSite, startSite } from '../../src/web/server.js';
import { at, type Harness, readSheets, records, startHarness } from '../pipeline/helpers.js';

const TOKEN = 'reports-token-for-review-upload-tests-0123456789';
const AUTH = `Basic ${Buffer.from(`auditor:${TOKEN}`).toString('base64')}`;
const MAX = 400_000;
let h: Harness;
let site: RunningSite;
let filled: Buffer;

beforeAll(async () => {
  h = await startHarness({ seed: 21, users: 10, groups: 2 });
  const run = await h.run(at(0));
  const sheet = records((await readSheets(run.reportPath)).rows.get('Access Review'));
  const row = sheet.findIndex((r) => r.Privileged !== 'yes') + 2;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(run.reportPath);
  const ws = wb.getWorksheet('Access Review') as ExcelJS.Worksheet;
  const header = ws.getRow(1).values as unknown[];
  ws.getRow(row).getCell(header.indexOf('Decision')).value = 'Revoke';
  ws.getRow(row).getCell(header.indexOf('Reason')).value = 'not needed any more';
  const out = join(h.dir, 'filled.xlsx');
  await wb.xlsx.writeFile(out);
  filled = await readFile(out);
  site = await startSite({
    port: 0,
    host: '127.0.0.1',
    reportsDir: h.reportsDir,
    token: new Secret(TOKEN),
    timeZone: 'UTC',
    listReports: async () => [],
    metrics: async () => {
      throw new Error('not used');
    },
    reviewUpload: {
      maxBytes: MAX,
      importFile: async (u) =>
        importSummary(
          await importReview(h.db.handle.db, {
            bytes: u.bytes,
            source: u.fileName,
            reviewer: u.reviewer,
            now: at(1),
            privilegedRoles: DEFAULT_PRIVILEGED_ROLES,
          }),
        ),
    },
  });
});
afterAll(async () => {
  await site?.close();
  await h?.close();
});

async function decisionCount(): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit.review_decisions`.execute(
    h.db.handle.db,
  );
  return r.rows[0]?.n ?? -1;
}

async function formPage(): Promise<{ status: number; csrf: string; csp: string }> {
  const res = await fetch(`${site.url}/review`, { headers: { Authorization: AUTH } });
  const html = await res.text();
  return {
    status: res.status,
    csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '',
    csp: res.headers.get('content-security-policy') ?? '',
  };
}

function form(fields: Record<string, string>, file: Buffer = filled): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  f.set('workbook', new Blob([file]), 'filled.xlsx');
  return f;
}

const post = (body: FormData, headers: Record<string, string> = {}) =>
  fetch(`${site.url}/review`, { method: 'POST', body, headers: { Authorization: AUTH, ...headers } });

describe('review upload', () => {
  it('the form needs the credential, and carries a token; its page may post only to itself', async () => {
    expect((await fetch(`${site.url}/review`)).status).toBe(401);
    const page = await formPage();
    expect(page.status).toBe(200);
    expect(page.csrf).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{64}$/);
    expect(page.csp).toContain("form-action 'self'");
  });

  it('refuses a post without the form token, with a forged one, or without the credential', async () => {
    const page = await formPage();
    expect((await post(form({ reviewer: 'reviewer@audit.example' }))).status).toBe(403);
    const forged = `${'0'.repeat(32)}.${'1'.repeat(64)}`;
    expect((await post(form({ reviewer: 'reviewer@audit.example', csrf: forged }))).status).toBe(403);
    const anonymous = await fetch(`${site.url}/review`, {
      method: 'POST',
      body: form({ reviewer: 'reviewer@audit.example', csrf: page.csrf }),
    });
    expect(anonymous.status).toBe(401);
    expect(await decisionCount()).toBe(0);
  });

  it('refuses a cross-site post even with a valid token (foreign Origin, Sec-Fetch-Site)', async () => {
    const { csrf } = await formPage();
    const fields = { reviewer: 'reviewer@audit.example', csrf };
    expect((await post(form(fields), { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(form(fields), { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect(await decisionCount()).toBe(0);
  });

  it('answers 413 to a body over the limit', async () => {
    const { csrf } = await formPage();
    const res = await post(form({ reviewer: 'reviewer@audit.example', csrf }, Buffer.alloc(MAX + 70_000, 1)));
    expect(res.status).toBe(413);
    expect(await decisionCount()).toBe(0);
  });

  it('shows a refused workbook as a one-line error (400), nothing recorded', async () => {
    const { csrf } = await formPage();
    const res = await post(form({ reviewer: 'reviewer@audit.example', csrf }, Buffer.from('not a workbook')));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(
      'error: review workbook filled.xlsx refused: it is not an .xlsx workbook',
    );
    expect(await decisionCount()).toBe(0);
  });

  it('records the decisions of the form posted from the page, naming the reviewer of the form', async () => {
    const { csrf } = await formPage();
    const res = await post(form({ reviewer: 'reviewer@audit.example', csrf }), {
      Origin: site.url,
      'Sec-Fetch-Site': 'same-origin',
    });
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(html).toContain('1 decisions by reviewer@audit.example (0 keep, 1 revoke): 1 recorded');
    const r = await sql<{ reviewer: string; reason: string }>`
      SELECT reviewer, reason FROM audit.review_decisions`.execute(h.db.handle.db);
    expect(r.rows).toEqual([{ reviewer: 'reviewer@audit.example', reason: 'not needed any more' }]);
  });
});
