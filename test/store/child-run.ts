/**
 * A child process for the crash and concurrency tests: one whole run against the
 * database named by DATABASE_URL (or the embedded one in DATA_DIR).
 *   PICTURE=1|2|3  TAKEN_AT=<iso>  KILL_AT=<step>  HOLD_MS=<ms, wait after taking the lock>
 * Prints `locked`, `snapshot <id>`, `complete <id>` lines; exits 0, or 1 with `error: …`
 * (DB_BUSY etc.), or dies by SIGKILL at KILL_AT.
 */
import { errorLine, exitStatusOf } from '../../src/errors.js';
import { Secret } from '../../src/secret.js';
import { openDatabase } from '../../src/store/open.js';
import { acquireRunLock } from '../../src/store/run-lock.js';
import { beginSnapshot, markAbandoned } from '../../src/store/snapshots.js';
import { completeSnapshot } from '../../src/store/write.js';
import { picture1, picture2, picture3 } from './fixtures.js';

const pictures = { '1': picture1, '2': picture2, '3': picture3 } as const;

async function main(): Promise<number> {
  const env = process.env;
  const handle = await openDatabase({
    databaseUrl: env.DATABASE_URL ? new Secret(env.DATABASE_URL) : undefined,
    dataDir: env.DATA_DIR ?? './data',
  });
  try {
    const release = await acquireRunLock(handle);
    try {
      process.stdout.write('locked\n');
      if (env.HOLD_MS) await new Promise((r) => setTimeout(r, Number(env.HOLD_MS)));
      const takenAt = new Date(env.TAKEN_AT ?? Date.now());
      await markAbandoned(handle.db, takenAt);
      const picture = pictures[(env.PICTURE ?? '1') as keyof typeof pictures]();
      const id = await beginSnapshot(handle.db, { takenAt, staleInviteDays: 14, apiUrl: picture.apiUrl });
      process.stdout.write(`snapshot ${id}\n`);
      await completeSnapshot(handle.db, id, picture, {
        onStep: (step) => {
          if (step === env.KILL_AT) process.kill(process.pid, 'SIGKILL');
        },
      });
      process.stdout.write(`complete ${id}\n`);
    } finally {
      await release();
    }
  } finally {
    await handle.close();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${errorLine(error)}\n`);
    process.exitCode = exitStatusOf(error);
  },
);
