#!/usr/bin/env node
/**
 * Checks what `npm run demo` left behind in a checkout (used by scripts/fresh-clone-check.sh):
 *  - the demo's report (REPORTS_DIR/access-audit-<date>-s<id>.xlsx) has the sheets of the
 *    contract (dist/report/sheets.js, built by the demo), in order, each data sheet with a
 *    header row, and the demo's changes in it;
 *  - an .eml in REPORTS_DIR/outbox/ for that snapshot has that workbook attached, byte for byte;
 *  - every other .eml in the outbox carries a byte-equal copy of a report in REPORTS_DIR.
 *
 * exceljs and mailparser are loaded from the checkout's own node_modules (after its `npm ci`).
 *
 * usage: node scripts/check-demo-output.mjs [--root DIR] [--log FILE]
 *   --root  the checkout (default: the current directory); reports are in DIR/reports
 *   --log   the demo's output: its "Report:"/"Email:" lines name the files to check, and its
 *           counts ("N permission changes in the report; M stale invites") must match the sheets
 * Exit 0 when every check passes, 1 otherwise (each failure on stderr as "error: …").
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { root: { type: 'string', default: '.' }, log: { type: 'string' } },
});
const root = resolve(values.root);
// The sheet list has one home, src/report/sheets.ts; the demo has just built it into dist/.
const { SHEET_NAMES: SHEETS, SUMMARY_SHEET } = await import(
  pathToFileURL(join(root, 'dist/report/sheets.js')).href
);
// The demo makes at least one change of each kind the data sheets show (see src/demo/scenario.ts).
// Review Status is the exception: the report checked is the one the reviewer then signs off,
// so it holds no decision yet (the demo's third report shows the decision remediated).
const NON_EMPTY = SHEETS.filter((name) => name !== SUMMARY_SHEET && name !== 'Review Status');
const reportsDir = join(root, 'reports');
const outboxDir = join(reportsDir, 'outbox');
const requireFromRoot = createRequire(join(root, 'package.json'));
const ExcelJS = requireFromRoot('exceljs');
const { simpleParser } = requireFromRoot('mailparser');

const failures = [];
const fail = (message) => failures.push(message);
const ok = (message) => process.stdout.write(`ok: ${message}\n`);

function listFiles(dir, suffix) {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(suffix))
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile());
  } catch {
    return [];
  }
}

const snapshotOf = (file) => Number(/-s(\d+)\.xlsx$/.exec(basename(file))?.[1] ?? Number.NaN);

/** What the demo printed: the files of the report it names and that audit's counts. */
function readLog(path) {
  if (path === undefined) return {};
  const text = readFileSync(path, 'utf8');
  const report = /^Report:\s+(.+\.xlsx)\s*$/m.exec(text)?.[1];
  const email = /^Email:\s+(.+\.eml)\s*$/m.exec(text)?.[1];
  if (report === undefined) fail(`the demo's output (${path}) has no "Report: …xlsx" line`);
  // The counts of the audit that wrote that report: its summary block ends with its path.
  const end =
    report === undefined
      ? -1
      : text.search(new RegExp(`report: .*${basename(report).replaceAll('.', '\\.')}\\s*$`, 'm'));
  const block = end < 0 ? '' : text.slice(0, end);
  const counts = [...block.matchAll(/(\d+) permission changes? in the report; (\d+) stale invites?/g)].at(-1);
  if (email === undefined) fail(`the demo's output (${path}) has no "Email: …eml" line`);
  return {
    report,
    email,
    permissionChanges: counts ? Number(counts[1]) : undefined,
    staleInvites: counts ? Number(counts[2]) : undefined,
  };
}

async function checkWorkbook(file, expected) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const names = wb.worksheets.map((ws) => ws.name);
  if (JSON.stringify(names) !== JSON.stringify(SHEETS)) {
    fail(`${basename(file)}: sheets are ${JSON.stringify(names)}, expected ${JSON.stringify(SHEETS)}`);
    return;
  }
  ok(`${basename(file)}: the ${names.length} sheets, in order: ${names.join(', ')}`);

  const summary = wb.getWorksheet(SUMMARY_SHEET);
  if (summary.actualRowCount < 5) fail(`${basename(file)}: Summary has only ${summary.actualRowCount} rows`);

  const dataRows = {};
  for (const name of SHEETS.slice(1)) {
    const ws = wb.getWorksheet(name);
    const header = (ws.getRow(1).values ?? []).filter((v) => v !== null && v !== undefined && v !== '');
    if (header.length < 2)
      fail(`${basename(file)}: ${name} has no header row (row 1: ${JSON.stringify(header)})`);
    let rows = 0;
    ws.eachRow((row, n) => {
      if (n > 1 && row.hasValues) rows++;
    });
    dataRows[name] = rows;
    if (NON_EMPTY.includes(name) && rows === 0) fail(`${basename(file)}: ${name} has no data rows`);
  }
  ok(`${basename(file)}: data rows ${JSON.stringify(dataRows)}`);

  for (const [sheet, count] of [
    ['Permission Changes', expected.permissionChanges],
    ['Stale Invites', expected.staleInvites],
  ]) {
    if (count === undefined) continue;
    if (dataRows[sheet] !== count) {
      fail(`${basename(file)}: ${sheet} has ${dataRows[sheet]} data rows, the demo printed ${count}`);
    } else {
      ok(`${basename(file)}: ${sheet} has the ${count} rows the demo printed`);
    }
  }
}

/** The .xlsx attachments of one .eml, parsed with mailparser. */
async function attachmentsOf(emlFile) {
  const mail = await simpleParser(readFileSync(emlFile));
  return {
    mail,
    workbooks: mail.attachments.filter((a) => (a.filename ?? '').endsWith('.xlsx')),
  };
}

async function main() {
  const logged = readLog(values.log);

  const reports = listFiles(reportsDir, '.xlsx').sort((a, b) => snapshotOf(a) - snapshotOf(b));
  if (reports.length === 0) {
    fail(`no workbook (*.xlsx) in ${reportsDir}`);
    return;
  }
  const report = logged.report ? resolve(root, logged.report) : reports.at(-1);
  if (!reports.includes(report)) fail(`the demo printed Report: ${report}, which is not in ${reportsDir}`);
  else await checkWorkbook(report, logged);

  const emls = listFiles(outboxDir, '.eml');
  if (emls.length === 0) {
    fail(`no .eml in ${outboxDir}`);
    return;
  }

  // The demo's last message must carry the demo's last report.
  const id = snapshotOf(report);
  const email = logged.email
    ? resolve(root, logged.email)
    : emls.find((f) => basename(f).includes(`.s${id}.`));
  if (email === undefined || !emls.includes(email)) {
    fail(`no .eml in ${outboxDir} for snapshot ${id} (printed: ${logged.email ?? 'nothing'})`);
  } else {
    const { mail, workbooks } = await attachmentsOf(email);
    const reportBytes = readFileSync(report);
    const same = workbooks.find((a) => a.filename === basename(report) && reportBytes.equals(a.content));
    if (same === undefined) {
      const seen = workbooks.map((a) => `${a.filename} (${a.size} bytes)`).join(', ') || 'none';
      fail(
        `${basename(email)} does not have ${basename(report)} (${reportBytes.length} bytes) attached byte for byte; attachments: ${seen}`,
      );
    } else {
      ok(`${basename(email)} has ${basename(report)} attached, byte-equal (${reportBytes.length} bytes)`);
    }
    if (!mail.subject) fail(`${basename(email)} has no subject`);
    if (!mail.text || !mail.html) fail(`${basename(email)} lacks a text or an HTML body`);
    if (!mail.to) fail(`${basename(email)} has no To:`);
    if (!mail.messageId) fail(`${basename(email)} has no Message-ID`);
    ok(`${basename(email)}: subject "${mail.subject}"`);
  }

  // Every message in the outbox carries a byte-equal copy of some report.
  for (const file of emls) {
    const { workbooks } = await attachmentsOf(file);
    if (workbooks.length !== 1) {
      fail(`${basename(file)} has ${workbooks.length} .xlsx attachments, expected 1`);
      continue;
    }
    const [attachment] = workbooks;
    const original = join(reportsDir, basename(attachment.filename));
    if (!reports.includes(original) || !readFileSync(original).equals(attachment.content)) {
      fail(
        `${basename(file)}: its attachment ${attachment.filename} is not byte-equal to a report in ${reportsDir}`,
      );
    }
  }
  ok(`all ${emls.length} messages in the outbox carry a byte-equal copy of a report`);
}

try {
  await main();
} catch (error) {
  fail(`checking the demo's output failed: ${error?.stack ?? error}`);
}
for (const message of failures) process.stderr.write(`error: ${message}\n`);
process.exit(failures.length === 0 ? 0 : 1);
