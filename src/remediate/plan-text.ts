/**
 * A plan in words: one row per step for the terminal and for the CSV written beside the
 * reports. Pure. CSV cells that a spreadsheet would read as a formula (=, +, -, @, tab,
 * carriage return first) get a leading apostrophe, so workspace data stays text.
 */
import type { PlanStep, RevokeDecision } from '../model/remediation.js';

const PLAN_HEADER = [
  'step',
  'operation',
  'user or invite',
  'role',
  'resource',
  'labels',
  'via',
  'decisions',
  'note',
];

const grantCells = (g: { roleName: string; resourceType: string; resourceId: string; labels: string }) => [
  g.roleName,
  `${g.resourceType} ${g.resourceId}`,
  g.labels,
];

/** A step about one decision that sends nothing: what to do, the decided row, and why. */
function decisionRow(what: string, d: RevokeDecision, note: string): string[] {
  return [what, '', d.email, ...grantCells(d), d.via, d.id, note];
}

function stepRow(step: PlanStep): string[] {
  switch (step.kind) {
    case 'replace':
      return [
        'revoke',
        'replace_permissions_for_user',
        step.email,
        step.revoked.map((g) => g.roleName).join('; '),
        step.revoked.map((g) => `${g.resource.type} ${g.resource.id}`).join('; '),
        step.revoked
          .map((g) =>
            [...(g.labels ?? []), ...(g.resource.labels ?? [])].map((l) => `${l.key}:${l.value}`).join(','),
          )
          .join('; '),
        'direct',
        step.decisionIds.join(' '),
        `PUT /users/${step.userId}/permissions keeping ${step.permissions.length} permission(s)`,
      ];
    case 'already-gone':
      return [
        'record',
        '',
        step.email,
        '',
        '',
        '',
        'direct',
        step.decisionIds.join(' '),
        `already gone: ${step.why}`,
      ];
    case 'needs-decision':
      return decisionRow(
        'needs a new decision',
        step.decision,
        `changed since the decision: the role on this resource is now held with labels ${step.found.map((l) => `"${l}"`).join(', ')}; nothing sent`,
      );
    case 'manual':
      return decisionRow(
        'manual',
        step.decision,
        `comes through ${step.groups.map((g) => `group ${g}`).join(', ')}: remove the user from the group, or revoke the group's grant`,
      );
    case 'withdraw-invite':
      return [
        'withdraw invite',
        'delete_invites',
        step.invite.email,
        '',
        '',
        '',
        '',
        '',
        `pending ${step.invite.daysPending} days`,
      ];
    case 'manual-invite':
      return [
        'manual',
        '',
        step.invite.email,
        '',
        '',
        '',
        `group ${step.invite.groupName ?? step.invite.groupId}`,
        '',
        `group invite pending ${step.invite.daysPending} days: withdraw it from the group`,
      ];
    case 'delete-user':
      return [
        'delete user',
        'delete_users',
        step.user.email,
        '',
        '',
        '',
        '',
        step.user.decisionIds.join(' '),
        `every row revoked: DELETE /users?userIds.0=${step.user.userId}`,
      ];
  }
}

function planRows(steps: readonly PlanStep[]): string[][] {
  return steps.map(stepRow);
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function planCsv(steps: readonly PlanStep[]): string {
  return `${[PLAN_HEADER, ...planRows(steps)].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** For the terminal: one line a step. */
export function planText(steps: readonly PlanStep[]): string {
  if (steps.length === 0) return 'Nothing to remediate: no open Revoke decision.\n';
  const lines = planRows(steps).map((r) => {
    const [step, operation, who, role, resource, labels, , , note] = r;
    const grant = [role, resource, labels ? `[${labels}]` : ''].filter((x) => x).join(' on ');
    return `- ${step}${operation ? ` (${operation})` : ''}: ${who}${grant ? ` — ${grant}` : ''}${note ? ` — ${note}` : ''}`;
  });
  return `${lines.join('\n')}\n`;
}
