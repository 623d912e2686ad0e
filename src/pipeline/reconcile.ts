import { privilegedTest } from '../model/privileged.js';
import type { AccessRow, ReportData } from '../model/report-data.js';
import {
  exceptionRows,
  findExceptions,
  type ReconcileInput,
  reconciliationSummary,
  suggestedDecisions,
} from '../roster/index.js';
import {
  accessOfUsers,
  type DatabaseHandle,
  lastActivity,
  reconciliationSettings,
  rosterAt,
  usersWithFirstSeen,
} from '../store/index.js';

type Db = DatabaseHandle['db'];

async function* withSuggestions(
  pages: AsyncIterable<readonly AccessRow[]>,
  suggestions: ReadonlyMap<string, string>,
): AsyncIterable<readonly AccessRow[]> {
  // The store hands fresh row objects on every read (accessReviewAt): completed in place
  // rather than copied (a copy a row was a second of a 500,000-row report).
  for await (const page of pages) {
    for (const row of page) row.suggestedDecision = suggestions.get(row.userId) ?? null;
    yield page;
  }
}

/**
 * A report's data with reconciliation added: the Exceptions sheet, the Summary's counts
 * and the Access Review's suggested decisions. Everything comes from history at the
 * snapshot's time (the roster in force then, the settings stored with the snapshot, the
 * events kept by then), so a report rebuilt later holds the same exceptions.
 */
export async function reconcile(db: Db, data: ReportData): Promise<ReportData> {
  const at = data.summary.current.takenAt;
  // Asked for together (see loadReportData); the trail's activity is read only when needed.
  const [settings, users, roster] = await Promise.all([
    reconciliationSettings(db, data.summary.current.id),
    usersWithFirstSeen(db, at),
    rosterAt(db, at),
  ]);
  const dormant =
    settings.trailRead && settings.dormantDays !== null
      ? { days: settings.dormantDays, lastActivity: await lastActivity(db, at) }
      : null;
  const input: ReconcileInput = {
    at,
    users,
    invites: data.invites,
    roster,
    allowedDomains: settings.allowedDomains,
    dormant,
  };
  const findings = findExceptions(input);
  const access = await accessOfUsers(
    db,
    at,
    findings.flatMap((f) => (f.userId === null ? [] : [f.userId])),
    privilegedTest(data.summary.privilegedRoles),
  );
  const rows = exceptionRows(findings, access);
  const suggestions = suggestedDecisions(rows);
  const review = data.accessReview;
  return {
    ...data,
    summary: { ...data.summary, reconciliation: reconciliationSummary(rows, input) },
    exceptions: rows,
    accessReview: () => withSuggestions(review(), suggestions),
  };
}
