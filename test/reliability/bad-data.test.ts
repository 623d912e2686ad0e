/**
 * Awkward but valid workspace data through whole runs: an empty workspace, names of
 * 10,000 characters, Unicode, emoji, right-to-left text and control characters (NUL
 * included) in user and group names. Each round-trips through the database and the
 * workbook (where XML cannot carry a control character, it shows as its visible symbol),
 * the email stays well formed, and a run over the unchanged workspace reports no change.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/pipeline/run-audit.js';
import { EXCEL_MAX_TEXT } from '../../src/report/index.js';
import { SHEET_NAMES, SUMMARY_SHEET } from '../../src/report/sheets.js';
import { openTestDatabase, type TestDatabase } from '../helpers/database.js';
import { readWorkbook } from '../report/xlsx-helpers.js';
import { audit, DAY, runEnv, startWorkspace, unzipText, type Workspace } from './helpers.js';

let t: TestDatabase;
let ws: Workspace;
let dir: string;
let day = 0;
const BASE = Date.UTC(2026, 4, 1, 6);

beforeAll(async () => {
  [t, ws] = await Promise.all([
    openTestDatabase(),
    startWorkspace({ seed: 3, users: 0, groups: 0, invites: 0, groupInvites: 0 }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'access-audit-bad-data-'));
});

afterAll(async () => {
  await Promise.all([t?.close(), ws?.sim.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function ok(): Promise<RunResult> {
  const r = await audit(
    t.handle,
    runEnv(t, ws.sim, { reportsDir: dir, auditNow: new Date(BASE + day++ * DAY) }),
  );
  if (r instanceof Error) throw r;
  expect(r.email.status).toBe('outbox');
  return r;
}

const nonZero = (changes: RunResult['changes']) =>
  Object.fromEntries(Object.entries(changes).filter(([, n]) => n !== 0));

async function sheetRows(path: string, sheet: string): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  (await readWorkbook(path)).getWorksheet(sheet)!.eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1));
  });
  return rows;
}

/** The names under test: what the API says, and what the database and the workbook hold. */
const LONG = 'Ünïcödé-long-name '.repeat(600).slice(0, 10_000);
/** Past the client's 4,096-unit bound for names: cut and marked, and the audit goes on. */
const LONG_CUT = `${LONG.slice(0, 4095)}…`;
const NAMES = {
  long: { api: LONG, db: LONG_CUT, cell: LONG_CUT },
  unicode: {
    api: 'Zoë Ångström 山田太郎 Ελένη',
    db: 'Zoë Ångström 山田太郎 Ελένη',
    cell: 'Zoë Ångström 山田太郎 Ελένη',
  },
  emoji: {
    api: '🚀 Rocket 👩🏽‍💻 Dev 🏳️‍🌈',
    db: '🚀 Rocket 👩🏽‍💻 Dev 🏳️‍🌈',
    cell: '🚀 Rocket 👩🏽‍💻 Dev 🏳️‍🌈',
  },
  rtl: {
    api: 'مرحبا שלום \u202Egnp.exe\u202C',
    db: 'مرحبا שלום \u202Egnp.exe\u202C',
    cell: 'مرحبا שלום \u202Egnp.exe\u202C',
  },
  control: {
    api: 'bell\u0007 esc\u001b nul\u0000 tab\t nl\n nonchar\uFFFE end',
    db: 'bell\u0007 esc\u001b nul\uFFFD tab\t nl\n nonchar\uFFFE end',
    cell: 'bell\u2407 esc\u241B nul\uFFFD tab\t nl\n nonchar\uFFFD end',
  },
} as const;

/** Characters XML 1.0 forbids (Excel refuses a sheet holding one). */
function forbiddenInXml(text: string): number[] {
  const found = new Set<number>();
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) found.add(c);
    if (c >= 0xd800 && c <= 0xdfff) found.add(c); // a lone surrogate (pairs iterate as one code point)
  }
  return [...found];
}

describe('an empty workspace', () => {
  it('is audited: a baseline with no users, invites or groups, a report with headers only, an email', async () => {
    const r = await ok();
    expect(r.counts).toEqual({ users: 0, invites: 0, groups: 0 });
    expect(r.baseline).toBe(true);
    for (const sheet of SHEET_NAMES.filter((name) => name !== SUMMARY_SHEET)) {
      expect(await sheetRows(r.reportPath, sheet)).toHaveLength(1);
    }
    const again = await ok();
    expect(nonZero(again.changes)).toEqual({});
  });
});

describe('names that are long, foreign, pictorial, right-to-left or full of control characters', () => {
  const emails = Object.keys(NAMES).map((k) => `${k}@example.org`);
  let first: RunResult;

  beforeAll(async () => {
    const role = ws.sim.truth().roles.find((r) => r.name === 'Source Read-only')!;
    const grant = [{ roleId: role.id, resources: [{ id: 'src_names', type: 'SOURCE' }] }];
    await ws.admin.createInvites(emails.map((email) => ({ email, permissions: grant })));
    for (const [key, name] of Object.entries(NAMES))
      await ws.admin.acceptInvite(`${key}@example.org`, name.api);
    for (const name of Object.values(NAMES)) {
      const group = await ws.admin.createGroup(name.api);
      await ws.admin.addGroupPermissions(group.id, grant);
      await ws.admin.addGroupMembers(group.id, ['unicode@example.org']);
    }
    first = await ok();
  });

  it('are recorded as users and groups added, and nothing fails', () => {
    expect(nonZero(first.changes)).toEqual({
      user_added: emails.length,
      group_created: Object.keys(NAMES).length,
    });
  });

  it('round-trip through the database (NUL, which PostgreSQL cannot hold, as U+FFFD)', async () => {
    const users = await sql<{ email: string; name: string }>`
      SELECT email, name FROM audit.user_history WHERE valid_to IS NULL`.execute(t.handle.db);
    const byEmail = new Map(users.rows.map((u) => [u.email, u.name]));
    for (const [key, name] of Object.entries(NAMES)) expect(byEmail.get(`${key}@example.org`)).toBe(name.db);
    const groups = await sql<{ name: string }>`
      SELECT name FROM audit.group_history WHERE valid_to IS NULL ORDER BY name`.execute(t.handle.db);
    expect(groups.rows.map((g) => g.name).sort()).toEqual(
      Object.values(NAMES)
        .map((n) => n.db)
        .sort(),
    );
    expect(byEmail.get('long@example.org')).toHaveLength(4096);
  });

  it('round-trip through the workbook, where a control character shows as its symbol', async () => {
    const review = await sheetRows(first.reportPath, 'Access Review');
    const header = review[0] as string[];
    const [email, name, via] = ['Email', 'Name', 'Via'].map((h) => header.indexOf(h));
    const cellOf = (key: string) => review.find((r) => r[email!] === `${key}@example.org`)?.[name!];
    for (const [key, n] of Object.entries(NAMES)) expect(cellOf(key), key).toBe(n.cell);
    // A Via cell lists every path to the access (`direct; <group>; …`).
    const vias = review.map((r) => String(r[via!]));
    for (const n of Object.values(NAMES)) expect(vias.some((v) => v.includes(n.cell))).toBe(true);
    expect(NAMES.long.cell.length).toBeLessThan(EXCEL_MAX_TEXT);
    // No character XML 1.0 forbids anywhere in the package (Excel would refuse the sheet).
    expect(forbiddenInXml(await unzipText(first.reportPath))).toEqual([]);
  });

  it('leave the email well formed', async () => {
    if (first.email.status !== 'outbox') throw new Error('expected an outbox email');
    const m = await simpleParser(await readFile(first.email.path));
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.attachments.map((a) => a.filename)).toEqual([first.reportPath.split('/').at(-1)]);
  });

  it('a second run over the same workspace reports no change (stored forms are stable)', async () => {
    expect(nonZero((await ok()).changes)).toEqual({});
  });

  it('a rename to such a name is one user_changed', async () => {
    const user = ws.sim.truth().users.find((u) => u.email === 'unicode@example.org')!;
    await ws.admin.updateUser(user.id, { name: NAMES.control.api });
    const r = await ok();
    expect(nonZero(r.changes)).toEqual({ user_changed: 1 });
    expect(nonZero((await ok()).changes)).toEqual({});
  });
});
