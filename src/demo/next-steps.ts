/**
 * The commands the demo prints last, exact and runnable as printed from the repository
 * root (pure): `access-audit` is not on a clone's PATH, so they call `node dist/cli.js`
 * (what `npm run demo` built), and they carry the environment that points at the demo's
 * own embedded database and reports, which are not the defaults.
 */
export interface DemoPlaces {
  /** The demo's embedded database (absolute, so the commands work from any directory). */
  readonly dataDir: string;
  readonly reportsDir: string;
  /** A freshly generated REPORTS_TOKEN for `serve` (at least 32 characters). */
  readonly reportsToken: string;
  readonly port: number;
  /** The caller's environment sets DATABASE_URL, which would win over DATA_DIR: clear it. */
  readonly clearDatabaseUrl: boolean;
}

/** A word the shell reads back unchanged: bare when safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

export function demoNextSteps(p: DemoPlaces): string {
  const db = `${p.clearDatabaseUrl ? 'DATABASE_URL= ' : ''}DATA_DIR=${shellWord(p.dataDir)}`;
  const reports = `REPORTS_DIR=${shellWord(p.reportsDir)}`;
  return [
    'Next steps (from the repository root):',
    '  the snapshot history of the demo:',
    `    ${db} node dist/cli.js snapshots`,
    '  the download site on its reports (Ctrl-C stops it):',
    `    ${reports} ${db} REPORTS_TOKEN=${p.reportsToken} node dist/cli.js serve`,
    `  then open http://127.0.0.1:${p.port}/ and sign in with any user name and the REPORTS_TOKEN above as the password`,
    '',
  ].join('\n');
}
