/**
 * `access-audit report --snapshot ID [--against ID] [--out FILE]`: rebuilds the report of
 * any snapshot (pair) from history. It writes a file and records nothing, so the chain
 * of reports and their emails stay as they were; it says whether the rebuilt data hash
 * equals the one recorded for that snapshot (an auditor's integrity check).
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AuditError } from '../errors.js';
import { reconcile } from '../pipeline/reconcile.js';
import { reportFileName, writeReport } from '../report/index.js';
import { getReport, loadReportData } from '../store/index.js';
import { TOOL_VERSION } from '../version.js';
import { type CommandContext, commandLogger, withDatabase } from './context.js';

function snapshotId(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,12}$/.test(value))
    throw new AuditError('USAGE', `${flag} must be a snapshot id (got '${value}')`);
  return Number(value);
}

export function registerReport(program: Command, context: CommandContext): void {
  program
    .command('report')
    .description('rebuild the report of any snapshot (pair) from history')
    .requiredOption('--snapshot <id>', 'the snapshot to report on')
    .option('--against <id>', 'the snapshot to compare with (default: the complete snapshot before it)')
    .option('--out <file>', 'where to write the workbook (default: REPORTS_DIR with the usual name)')
    .action(async (options: { snapshot: string; against?: string; out?: string }) => {
      const id = snapshotId('--snapshot', options.snapshot)!;
      const against = snapshotId('--against', options.against);
      const config = loadConfig(context.env);
      await withDatabase(config, commandLogger(context), async (handle) => {
        const data = await reconcile(
          handle.db,
          await loadReportData(handle.db, {
            snapshotId: id,
            ...(against !== undefined ? { againstId: against } : {}),
            timezone: config.auditTimezone,
            toolVersion: TOOL_VERSION,
            generatedAt: new Date(),
            privilegedRoles: config.privilegedRoles,
            readAhead: true,
          }),
        );
        const s = data.summary;
        const fileName =
          against === undefined
            ? reportFileName(s.current.takenAt, id, config.auditTimezone)
            : reportFileName(s.current.takenAt, id, config.auditTimezone).replace(
                /\.xlsx$/,
                `-vs-s${against}.xlsx`,
              );
        const written = await writeReport(data, {
          dir: config.reportsDir,
          fileName,
          ...(options.out !== undefined ? { outPath: options.out } : {}),
        });
        const recorded = await getReport(handle.db, id);
        const lines = [
          `report: ${written.path}`,
          `snapshot ${id}${s.previous ? ` against ${s.previous.id}` : ' (baseline)'}: ${written.counts.permissionChanges} permission changes, ${written.counts.staleInvites} stale invites, ${written.counts.accessReview} access rows`,
          `data SHA-256: ${written.dataSha256}`,
        ];
        if (recorded && (recorded.againstSnapshotId ?? null) === (s.previous?.id ?? null)) {
          lines.push(
            recorded.dataSha256 === written.dataSha256
              ? `matches the data of the report recorded on ${recorded.createdAt.toISOString()} (${recorded.fileName})`
              : `DIFFERS from the data of the report recorded on ${recorded.createdAt.toISOString()} (${recorded.dataSha256})`,
          );
        }
        context.io.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}
