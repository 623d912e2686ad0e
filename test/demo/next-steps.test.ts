import { describe, expect, it } from 'vitest';
import { demoNextSteps } from '../../src/demo/next-steps.js';

const places = {
  dataDir: '/home/ana/audit/data/demo',
  reportsDir: '/home/ana/audit/reports',
  reportsToken: 'a'.repeat(48),
  port: 8080,
  clearDatabaseUrl: false,
};

describe('demoNextSteps', () => {
  it('prints the exact commands, through the built bin file', () => {
    const text = demoNextSteps(places);
    expect(text).toContain('    DATA_DIR=/home/ana/audit/data/demo node dist/cli.js snapshots\n');
    expect(text).toContain(
      `    REPORTS_DIR=/home/ana/audit/reports DATA_DIR=/home/ana/audit/data/demo REPORTS_TOKEN=${'a'.repeat(48)} node dist/cli.js serve\n`,
    );
    expect(text).toContain('http://127.0.0.1:8080/');
    expect(text).not.toContain('DATABASE_URL');
  });

  it('clears a DATABASE_URL of the environment, which would win over DATA_DIR', () => {
    const text = demoNextSteps({ ...places, clearDatabaseUrl: true });
    expect(text).toContain(
      '    DATABASE_URL= DATA_DIR=/home/ana/audit/data/demo node dist/cli.js snapshots\n',
    );
  });

  it('quotes a path the shell would split or expand', () => {
    const text = demoNextSteps({ ...places, dataDir: "/tmp/my audit/it's/data", port: 9090 });
    expect(text).toContain(`DATA_DIR='/tmp/my audit/it'\\''s/data' node dist/cli.js snapshots`);
    expect(text).toContain('http://127.0.0.1:9090/');
  });
});
