import type { RunResult } from './run-audit.js';

/** The short human summary `run` prints on stdout (pure). */
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const HEADLINE_SHOWN = 5;

function attentionLines(headline: readonly string[]): string[] {
  if (headline.length === 0) return [];
  const lines = ['  needs attention:', ...headline.slice(0, HEADLINE_SHOWN).map((h) => `    - ${h}`)];
  if (headline.length > HEADLINE_SHOWN)
    lines.push(`    … and ${headline.length - HEADLINE_SHOWN} more (see the email)`);
  return lines;
}

function trailLine(t: RunResult['trail']): string {
  if (t.status === 'unavailable') return `  audit trail unavailable: ${t.reason}`;
  const a = t.attribution;
  const who = a
    ? `; ${plural(a.attributed, 'change record')} attributed, ${a.unattributed} not` +
      (a.flags['self-granted'] > 0 ? `, ${plural(a.flags['self-granted'], 'self-grant')}` : '') +
      (a.flags['by-token'] > 0 ? `, ${a.flags['by-token']} by a token` : '')
    : '';
  return `  audit trail: ${plural(t.events, 'event')} read${who}`;
}

export function runSummaryText(r: RunResult): string {
  const changeTotal = Object.values(r.changes).reduce((a, b) => a + (b ?? 0), 0);
  const lines = [
    `Snapshot ${r.snapshotId} of ${r.workspaceName} taken at ${r.takenAt.toISOString()}` +
      (r.baseline ? ' (baseline: no earlier complete snapshot, so no changes)' : ''),
    `  population: ${plural(r.counts.users, 'user')}, ${plural(r.counts.invites, 'open invite')}, ${plural(r.counts.groups, 'group')}`,
    // "Permission changes" means one thing everywhere (the sheet's rows, as in the email,
    // site and /metrics); the history's own records are named as such.
    `  changes: ${plural(r.permissionChanges, 'permission change')} in the report; ${plural(r.staleInvites, 'stale invite')}; ${plural(changeTotal, 'change record')} in audit.changes`,
    trailLine(r.trail),
    `  report: ${r.reportPath}`,
  ];
  // Right after the counts: the privileged changes (and other headline items) by person.
  lines.splice(3, 0, ...attentionLines(r.headline));
  const e = r.email;
  switch (e.status) {
    case 'sent':
      lines.push(`  email: sent to ${e.to.join(', ')} via ${e.via}`);
      break;
    case 'outbox':
      lines.push(`  email: written to ${e.path} (SMTP_URL is not set)`);
      break;
    case 'skipped':
      lines.push(`  email: not sent (${e.reason})`);
      break;
    case 'already-sent':
      lines.push('  email: already sent earlier');
      break;
    case 'failed':
      lines.push(`  email: NOT delivered (${e.error.message}); the next run retries it`);
      break;
  }
  for (const rec of r.recovered) {
    lines.push(
      `  recovered snapshot ${rec.snapshotId}:${rec.report ? ' report written' : ''}${rec.email ? ` email ${rec.email.status}` : ''}`,
    );
  }
  if (r.warnings.length > 0) {
    lines.push(`  completeness warnings (${r.warnings.length}):`);
    for (const w of r.warnings.slice(0, 10)) lines.push(`    - ${w}`);
    if (r.warnings.length > 10)
      lines.push(`    … and ${r.warnings.length - 10} more (see the report's Summary)`);
  }
  const s = r.crawlStats;
  lines.push(
    `  API: ${plural(s.requests, 'request')}, ${plural(s.retries, 'retry', 'retries')}, ${s.rateLimited} × 429, ` +
      `${(s.rateLimitWaitMs / 1000).toFixed(1)} s waiting for rate limits`,
  );
  return `${lines.join('\n')}\n`;
}
