/** What `remediate` prints: the plan, where it was written, and what became of each action. */
import { planText } from '../remediate/plan-text.js';
import type { RemediationResult } from './remediate.js';
import type { ActionReport } from './remediation-actions.js';

export function actionLine(a: ActionReport): string {
  const how = a.outcome ? ` (${a.outcome})` : '';
  const why = a.error ? `: ${a.error}` : '';
  return `- action ${a.id} ${a.operation} ${a.target}: ${a.status}${how}${why}`;
}

export function remediationText(result: RemediationResult, apply: boolean): string {
  const parts = [`Remediation plan (${result.steps.length} step(s)):\n${planText(result.steps)}`];
  parts.push(`Plan written to ${result.planFile}\n`);
  if (result.resumed.length > 0)
    parts.push(`Resolved from an earlier run:\n${result.resumed.map(actionLine).join('\n')}\n`);
  if (result.pending.length > 0) {
    const lines = result.pending.map(
      (a) => `- action ${a.id} ${a.operation} ${a.target}: outcome unknown${a.error ? ` (${a.error})` : ''}`,
    );
    parts.push(
      `Left planned by an earlier run (remediate --apply reads and resolves them first):\n${lines.join('\n')}\n`,
    );
  }
  if (result.flagged.length > 0) {
    const lines = result.flagged.map(
      (a) =>
        `- action ${a.id} ${a.operation} ${a.target}: snapshot ${a.unverifiedSnapshotId} still saw the access`,
    );
    parts.push(`Flagged: the next audit did not see their effect:\n${lines.join('\n')}\n`);
  }
  if (apply) {
    const lines = result.actions.map(actionLine);
    parts.push(lines.length > 0 ? `Actions:\n${lines.join('\n')}\n` : 'No action to send.\n');
  } else {
    parts.push(
      'Nothing was sent: run `access-audit remediate --apply` (with SEGMENT_WRITE_TOKEN) to carry it out.\n',
    );
  }
  return parts.join('\n');
}

/** Actions this run left unapplied (failed, or outcome still unknown): the command then exits 1. */
export function unfinished(result: Pick<RemediationResult, 'resumed' | 'actions'>): ActionReport[] {
  return [...result.resumed, ...result.actions].filter((a) => a.status !== 'applied');
}
