import type { ReportSummary } from '../model/report-data.js';

/**
 * What the audit trail puts at the top of the email: that it could not be read (and why),
 * every self-grant, and every privileged grant made by an API token. Empty when none.
 */
export function trailHeadline(s: ReportSummary): string[] {
  const t = s.trail;
  if (t === undefined || t.status === null) return [];
  if (t.status === 'unavailable') {
    return [`audit trail unavailable: ${t.error ?? 'no reason given'} (changes have no authors this time)`];
  }
  return t.headline.map((h) =>
    h.flag === 'self-granted'
      ? `self-granted: ${h.subject} gained ${h.what}, by ${h.changedBy} themselves`
      : `privileged grant by a token: ${h.subject} gained ${h.what}, by the API token ${h.changedBy}`,
  );
}
