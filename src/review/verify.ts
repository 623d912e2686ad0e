import type ExcelJS from 'exceljs';
import { AuditError } from '../errors.js';
import { type ReportClaims, refused } from './workbook.js';

/**
 * Whether the report a workbook claims to be is one this database wrote: its snapshot
 * exists here, audits the same workspace, and a report of it with that data hash was
 * recorded. The cells themselves are checked afterwards (compare.ts).
 */

export interface RecordedFacts {
  /** null: no such snapshot here. */
  workspaceId: string | null;
  /** Whether a report of the snapshot with the claimed data hash was recorded. */
  recorded: boolean;
}

export function verifyClaims(claims: ReportClaims, facts: RecordedFacts, source: string): void {
  if (facts.workspaceId === null) {
    throw refused(
      source,
      `snapshot ${claims.snapshotId} is not in this database: it is not a report of this database`,
    );
  }
  if (claims.workspaceId !== facts.workspaceId) {
    throw refused(
      source,
      `it is a report of workspace '${claims.workspaceId}', this database audits '${facts.workspaceId}'`,
    );
  }
  if (!facts.recorded) {
    throw refused(
      source,
      `its data SHA-256 matches no report of snapshot ${claims.snapshotId} recorded here: it is not a report of this database, or its Summary was altered`,
    );
  }
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

/**
 * Who signs: the reviewer named (`--reviewer`, the upload form), else the workbook's
 * "last modified by" when it is an email address; nobody signs anonymously.
 */
export function reviewerOf(given: string | undefined, wb: ExcelJS.Workbook): string {
  if (given === undefined) {
    const fromWorkbook = (wb.lastModifiedBy ?? '').trim();
    if (EMAIL.test(fromWorkbook) && fromWorkbook.length <= 254) return fromWorkbook;
    throw new AuditError(
      'USAGE',
      'name the reviewer with --reviewer EMAIL (the workbook does not say by email address who filled it in)',
    );
  }
  const reviewer = given.trim();
  if (!EMAIL.test(reviewer) || reviewer.length > 254) {
    throw new AuditError('USAGE', `the reviewer must be an email address (got '${reviewer.slice(0, 80)}')`);
  }
  return reviewer;
}
