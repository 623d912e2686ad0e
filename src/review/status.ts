import type { ReviewProgress } from '../model/review.js';
import { localDate } from '../text/time-zone.js';

/** `review status` as text (pure): progress, then each open revocation, oldest first. */
export function formatReviewStatus(p: ReviewProgress, timeZone: string): string {
  const lines = [
    `review of snapshot ${p.snapshotId}`,
    `decided: ${p.decided} / ${p.total} rows`,
    `privileged decided: ${p.privilegedDecided} / ${p.privilegedTotal} rows`,
    `standing decisions: ${p.keep} keep, ${p.revoke} revoke`,
    `revocations remediated: ${p.remediated}`,
    `open revocations: ${p.open.length}`,
  ];
  const open = [...p.open].sort((a, b) => b.days - a.days);
  for (const o of open) {
    const labels = o.labels === '' ? '' : ` [${o.labels}]`;
    lines.push(
      `  ${o.days} days  ${o.email}  ${o.roleName} on ${o.resourceType} ${o.resourceId}${labels}  (decided ${localDate(o.decidedAt, timeZone)} by ${o.reviewer})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `review status --json`: the same facts, dates as ISO-8601 instants. */
export function reviewStatusJson(p: ReviewProgress): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}
