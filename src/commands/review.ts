/**
 * `access-audit review import FILE [--reviewer EMAIL]` and `review status [--snapshot ID]
 * [--json]`: a reviewer's filled-in Access Review becomes signed, append-only decisions
 * (or is refused whole, exit 2), and the review's progress and open revocations are
 * read back.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AuditError } from '../errors.js';
import { importReview, importSummary } from '../pipeline/review-import.js';
import { formatReviewStatus, reviewStatusJson } from '../review/status.js';
import { REVIEW_FILE_MAX_BYTES, refused } from '../review/workbook.js';
import { reviewProgress, reviewSnapshot } from '../store/index.js';
import { type CommandContext, commandLogger, withDatabase } from './context.js';

/** The file's bytes, refused unread when larger than a review workbook can be. */
async function readReviewFile(path: string): Promise<Buffer> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw refused(path, 'it is not a file');
    if (st.size > REVIEW_FILE_MAX_BYTES) {
      throw refused(path, `it is ${st.size} bytes, more than the ${REVIEW_FILE_MAX_BYTES} accepted`);
    }
    return await readFile(path);
  } catch (error) {
    if (error instanceof AuditError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new AuditError('USAGE', `cannot read the review workbook ${path}: ${code}`, { cause: error });
  }
}

function snapshotOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,12}$/.test(value))
    throw new AuditError('USAGE', `--snapshot must be a snapshot id (got '${value}')`);
  return Number(value);
}

export function registerReview(program: Command, context: CommandContext): void {
  const review = program
    .command('review')
    .description(
      'review import FILE | review status: record signed Keep/Revoke decisions, follow revocations',
    );
  review
    .command('import')
    .description('record the decisions of a filled-in Access Review workbook (a report of this database)')
    .argument('<file>', 'the report, with Decision and Reason filled in')
    .option(
      '--reviewer <email>',
      "who decided (default: the workbook's last-modified-by, if an email address)",
    )
    .action(async (file: string, options: { reviewer?: string }) => {
      const config = loadConfig(context.env);
      const bytes = await readReviewFile(file);
      await withDatabase(config, commandLogger(context), async (handle) => {
        const result = await importReview(handle.db, {
          bytes,
          source: file,
          reviewer: options.reviewer,
          now: config.auditNow ?? new Date(),
          privilegedRoles: config.privilegedRoles,
        });
        context.io.stdout.write(`${importSummary(result)}\n`);
      });
    });
  review
    .command('status')
    .description('decided / total rows, privileged decided / total, open revocations and their age')
    .option('--snapshot <id>', 'the snapshot whose review to show (default: the one reviewed last)')
    .option('--json', 'print JSON')
    .action(async (options: { snapshot?: string; json?: boolean }) => {
      const asked = snapshotOption(options.snapshot);
      const config = loadConfig(context.env);
      await withDatabase(config, commandLogger(context), async (handle) => {
        const snapshot = await reviewSnapshot(handle.db, asked);
        const progress = await reviewProgress(handle.db, {
          snapshotId: snapshot.id,
          takenAt: snapshot.takenAt,
          now: config.auditNow ?? new Date(),
          privilegedRoles: config.privilegedRoles,
        });
        context.io.stdout.write(
          options.json ? reviewStatusJson(progress) : formatReviewStatus(progress, config.auditTimezone),
        );
      });
    });
}
