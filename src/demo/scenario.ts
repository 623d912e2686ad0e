import { SimulatorAdmin } from '../simulator/client.js';
import { CONTRACTOR, LEAVER, type RunningSimulator } from '../simulator/index.js';

/**
 * The changes the demo makes between its two audit cycles, through the simulated
 * workspace's API (as an administrator would in Segment): a grant, a revoke, a departed
 * user, an accepted and a withdrawn invite, a new group member, and a fresh invite.
 * Everything is picked from the seeded workspace, so the demo is the same every time.
 */
export interface ScenarioStep {
  what: string;
}

export async function applyDemoChanges(sim: RunningSimulator): Promise<ScenarioStep[]> {
  const admin = new SimulatorAdmin(sim);
  const truth = sim.truth();
  const steps: ScenarioStep[] = [];
  const users = truth.users;
  const owner = truth.roles.find((r) => r.name === 'Workspace Owner');
  const withGrants = users.filter((u) => u.permissions.length > 1);
  const memberIds = new Set(truth.groups.flatMap((g) => g.memberIds));

  // A grant: an owner makes someone Workspace Owner (privileged; the report names the owner).
  const isOwner = (u: (typeof users)[number]) => u.permissions.some((p) => p.roleId === owner?.id);
  const grantor = users.find(isOwner);
  const promoted = users.find((u) => !isOwner(u));
  if (promoted && owner) {
    await (grantor ? admin.as({ userId: grantor.id }) : admin).addUserPermissions(promoted.id, [
      { roleId: owner.id, resources: [{ id: truth.workspace.id, type: 'WORKSPACE' }] },
    ]);
    steps.push({ what: `${grantor?.email ?? 'an API token'} granted Workspace Owner to ${promoted.email}` });
  }

  // A self-grant: someone gives themselves a role (flagged self-granted in the report).
  const selfGranter = users.find((u) => u.id !== promoted?.id && u.id !== grantor?.id && !isOwner(u));
  const role = truth.roles.find((r) => r.name === 'Source Admin');
  const source = sim.resourceNames().find((r) => r.type === 'SOURCE');
  if (selfGranter && role && source) {
    await admin
      .as({ userId: selfGranter.id })
      .addUserPermissions(selfGranter.id, [
        { roleId: role.id, resources: [{ id: source.id, type: 'SOURCE' }] },
      ]);
    steps.push({ what: `${selfGranter.email} granted themselves ${role.name} on the source ${source.name}` });
  }

  // A revoke: someone loses one of their direct permissions.
  const demoted = withGrants.find((u) => u.id !== promoted?.id && u.id !== selfGranter?.id);
  if (demoted) {
    const [lost, ...kept] = demoted.permissions;
    await admin.replaceUserPermissions(
      demoted.id,
      kept.map((p) => ({
        roleId: p.roleId,
        resources: p.resources.map((r) => ({ id: r.id, type: r.type })),
      })),
    );
    steps.push({ what: `revoked ${lost?.roleName} from ${demoted.email}` });
  }

  // A departed user (with group memberships, so the report shows access lost through groups).
  const stay = new Set([promoted?.id, demoted?.id, selfGranter?.id, grantor?.id]);
  // Not the leaver or the contractor: the report's Exceptions sheet shows both still there.
  const reconciled = (u: (typeof users)[number]) => u.name === LEAVER.name || u.email === CONTRACTOR.email;
  const departed = users.find((u) => !stay.has(u.id) && memberIds.has(u.id) && !reconciled(u));
  if (departed) {
    await admin.deleteUsers([departed.id]);
    steps.push({ what: `removed the departed user ${departed.email}` });
  }

  // An accepted invite and a withdrawn one; a new invite to show invite_created.
  const [accepted, withdrawn] = truth.invites;
  if (accepted) {
    await admin.acceptInvite(accepted, 'New Joiner');
    steps.push({ what: `${accepted} accepted their invite` });
  }
  if (withdrawn) {
    await admin.deleteInvites([withdrawn]);
    steps.push({ what: `withdrew the invite of ${withdrawn}` });
  }
  await admin.createInvites([{ email: 'contractor@example.org' }]);
  steps.push({ what: 'invited contractor@example.org' });

  // A new group member: someone joins a group they were not in.
  const group = truth.groups.find((g) => g.permissions.length > 0) ?? truth.groups[0];
  const joiner = group && users.find((u) => !group.memberIds.includes(u.id) && u.id !== departed?.id);
  if (group && joiner) {
    await admin.addGroupMembers(group.id, [joiner.email]);
    steps.push({ what: `${joiner.email} joined the group ${group.name}` });
  }
  return steps;
}
