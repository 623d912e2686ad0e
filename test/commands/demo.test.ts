/**
 * `access-audit demo` as a newcomer runs it, then its printed next steps as printed: the
 * `snapshots` line run with exactly its environment lists the demo's three snapshots, and
 * the `serve` line's environment is a valid serve configuration on the demo's own
 * database and reports (whose listing names report files that are there).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { CONTRACTOR, LEAVER } from '../../src/simulator/index.js';
import { listReports, openDatabase } from '../../src/store/index.js';
import { errorLines, type MainResult, runCli, runMain } from '../helpers/cli.js';

let dir: string;
let demo: MainResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-cmd-'));
  demo = await runMain(['demo'], { DATA_DIR: join(dir, 'data'), REPORTS_DIR: join(dir, 'reports') });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Step {
  env: Record<string, string>;
  program: string;
  args: string[];
}

/** A printed command line read as the shell would: NAME=value words, then the program and its arguments. */
function parseStep(line: string): Step {
  const words = (line.trim().match(/(?:[^\s']+|'[^']*')+/g) ?? []).map((w) => w.replace(/'([^']*)'/g, '$1'));
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_]+=/.test(words[0])) {
    const word = words.shift() as string;
    const eq = word.indexOf('=');
    env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  const [node, program, ...args] = words;
  expect(node).toBe('node');
  return { env, program: program ?? '', args };
}

/** The printed line that runs `command`. */
function step(command: string): Step {
  const line = demo.stdout.split('\n').find((l) => l.includes(`node dist/cli.js ${command}`));
  if (line === undefined) throw new Error(`the demo printed no \`${command}\` step:\n${demo.stdout}`);
  return parseStep(line);
}

describe('access-audit demo: next steps runnable as printed', () => {
  it('the demo exits 0 and names no command a clone does not have', () => {
    expect(demo.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([]);
    expect(demo.code).toBe(0);
    // `access-audit` is not on a clone's PATH: every step goes through the built bin file.
    expect(demo.stdout).not.toMatch(/^\s*(\S+=\S+\s+)*access-audit /m);
  });

  it('the second audit names the change that matters, the privileged grant, by person', () => {
    const second = demo.stdout.slice(demo.stdout.indexOf('== Audit 2'), demo.stdout.indexOf('== Review'));
    expect(second).toMatch(
      /\n {2}needs attention:\n(?: {4}- .*\n)*? {4}- Workspace Owner granted to \S+@\S+\n/,
    );
    // A few owners among many members (the seed): one privileged grant, nothing else privileged.
    expect(second.match(/^ {4}- .* (granted to|revoked from) /gm)).toHaveLength(1);
  });

  it("the demo's email names the leaver who kept Workspace Owner first, and the outside contractor", async () => {
    const path = demo.stdout.match(/^Email: +(\S+)$/m)?.[1];
    expect(path).toBeDefined();
    const text = (await readFile(path!, 'utf8')).replace(/=\r?\n/g, '');
    expect(text).toMatch(
      new RegExp(
        `!! ${LEAVER.local}@\\S+ is terminated \\(end date \\d{4}-\\d{2}-\\d{2}, 35 days ago\\) and still holds privileged access`,
      ),
    );
    expect(text).toContain(`not-in-roster: ${CONTRACTOR.email}`);
    expect(text).toContain(`outside-domain: ${CONTRACTOR.email}`);
  });

  it('the steps call the bin file `npm run demo` builds', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(step('snapshots').program).toBe(pkg.bin['access-audit']);
    expect(step('serve').program).toBe(pkg.bin['access-audit']);
    expect(pkg.scripts.demo).toContain(`node ${pkg.bin['access-audit']} demo`);
  });

  it("`snapshots` with exactly the printed environment lists the demo's three complete snapshots", async () => {
    const s = step('snapshots');
    expect(s.env.DATA_DIR).toBe(join(dir, 'data', 'demo'));
    const listed = await runMain(s.args, s.env);
    expect(listed.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([]);
    expect(listed.code).toBe(0);
    const rows = listed.stdout.split('\n').filter((l) => /^\s*\d+\s/.test(l));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toContain('complete');
  });

  it("`serve`'s printed environment is a valid serve configuration on the demo's database and reports", async () => {
    const s = step('serve');
    expect(s.args).toEqual(['serve']);
    const config = loadConfig(s.env, { reportsToken: true });
    expect(config.dataDir).toBe(join(dir, 'data', 'demo'));
    expect(config.reportsDir).toBe(join(dir, 'reports'));
    expect(config.databaseUrl).toBeUndefined();
    expect(config.reportsToken?.reveal()).toMatch(/^[0-9a-f]{48}$/);
    expect(demo.stdout).toContain(`http://127.0.0.1:8080/`);

    // What the site would list: the demo's reports, each a file in REPORTS_DIR.
    const handle = await openDatabase({ dataDir: config.dataDir, logger: silentLogger() });
    try {
      const reports = await listReports(handle.db);
      expect(reports).toHaveLength(3);
      for (const r of reports)
        expect((await stat(join(config.reportsDir, r.fileName))).size).toBeGreaterThan(0);
    } finally {
      await handle.close();
    }
  });

  it('the third cycle: a Revoke imported, carried out through the API, and verified by audit 3', async () => {
    expect(demo.stdout).toMatch(
      /- Revoke: Workspace Owner of \S+@\S+\n {2}imported: snapshot 2: 1 decisions/,
    );
    expect(demo.stdout).toMatch(/action 1 replace_permissions_for_user \S+: applied \(sent\)/);
    const path = demo.stdout.match(/^Report after the revocation: +(\S+)$/m)?.[1];
    expect(path).toBeDefined();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path!);
    const values = (name: string) =>
      (wb.getWorksheet(name)?.getSheetValues() ?? []).flatMap((row) =>
        Array.isArray(row) ? [row.slice(1)] : [],
      );
    const [statusHead, ...statusRows] = values('Review Status');
    expect(statusRows).toHaveLength(1);
    const status = Object.fromEntries((statusHead ?? []).map((h, i) => [String(h), statusRows[0]?.[i]]));
    expect(status).toMatchObject({ Decision: 'Revoke', Status: 'remediated', Role: 'Workspace Owner' });
    const changes = values('Permission Changes').slice(1);
    expect(changes.map((r) => r.find((c) => String(c).startsWith('revoked by remediation action')))).toEqual([
      'revoked by remediation action 1',
    ]);
  });
});

describe('demo with an unusable DATA_DIR', () => {
  // In a process of its own: a simulator left running would keep it alive (it once did).
  it('exits 2 with a one-line error naming DATA_DIR, whether DATA_DIR is a file or the database cannot open', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    for (const dataDir of [file, '/proc/no-such-dir']) {
      const r = await runCli(['demo'], { DATA_DIR: dataDir, REPORTS_DIR: join(dir, 'reports-bad') }, 30_000);
      expect(r.signal, dataDir).toBeNull();
      expect(r.code, r.stderr).toBe(2);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^error: DATA_DIR \(\S+\) cannot hold /)]);
    }
  });
});
