import { describe, expect, it } from 'vitest';
import { buildAuditMessage } from '../../src/mail/index.js';
import type { InviteRow, PermissionChangeRow } from '../../src/model/report-data.js';
import { withChanges } from '../report/fixtures.js';

/** The email's body: headline by person, changes grouped by person and cause, stale invites, links. */

const report = {
  path: '/reports/access-audit-2026-06-30-s2.xlsx',
  fileName: 'access-audit-2026-06-30-s2.xlsx',
  bytes: 14_000,
};

function change(extra: Partial<PermissionChangeRow>): PermissionChangeRow {
  return {
    change: 'revoked',
    userId: 'u1',
    email: 'gone@example.com',
    roleId: 'r-read',
    roleName: 'Source Read-only',
    resourceType: 'SOURCE',
    resourceId: 'src1',
    resourceName: 'Website',
    labels: '',
    via: 'Engineers',
    cause: 'user_removed',
    privileged: false,
    ...extra,
  };
}

function invite(i: number, extra: Partial<InviteRow> = {}): InviteRow {
  return {
    email: `invitee${i}@example.com`,
    groupId: null,
    groupName: null,
    firstSeen: new Date('2026-06-01T06:00:00Z'),
    daysPending: 29,
    stale: true,
    seenAtBaseline: false,
    ...extra,
  };
}

function message(
  rows: { permissionChanges?: PermissionChangeRow[]; staleInvites?: InviteRow[] },
  extra: Partial<Parameters<typeof buildAuditMessage>[0]> = {},
) {
  const permissionChanges = rows.permissionChanges ?? [];
  const staleInvites = rows.staleInvites ?? [];
  return buildAuditMessage({
    summary: withChanges(null).summary,
    counts: { permissionChanges: permissionChanges.length, staleInvites: staleInvites.length },
    rows: { permissionChanges, staleInvites },
    report,
    from: 'audit@example.com',
    to: ['sec@example.com'],
    ...extra,
  });
}

const ownerTo = (email: string, extra: Partial<PermissionChangeRow> = {}) =>
  change({
    change: 'granted',
    email,
    roleId: 'r-owner',
    roleName: 'Workspace Owner',
    resourceType: 'WORKSPACE',
    resourceId: 'ws1',
    resourceName: 'Acme',
    via: 'direct',
    cause: 'permission_granted',
    privileged: true,
    ...extra,
  });

describe('the headline names privileged changes by person', () => {
  it('names a grant and a revocation, once per person and role however many paths', () => {
    const m = message({
      permissionChanges: [
        change({}),
        ownerTo('zoe.gonzalez@contractor.dev'),
        ownerTo('zoe.gonzalez@contractor.dev', { via: 'Admins', cause: 'membership_added' }),
        ownerTo('old.owner@example.com', { change: 'revoked', cause: 'permission_revoked' }),
      ],
    });
    expect(m.subject).toBe(
      '[access-audit] Acme (acme): Workspace Owner granted to zoe.gonzalez@contractor.dev; Workspace Owner revoked from old.owner@example.com — 4 permission changes, 0 stale invites — 2026-06-30',
    );
    expect(m.text).toContain(
      'Needs attention:\n  - Workspace Owner granted to zoe.gonzalez@contractor.dev\n  - Workspace Owner revoked from old.owner@example.com\n',
    );
    // The headline comes before the counts.
    expect(m.text.indexOf('Needs attention')).toBeLessThan(m.text.indexOf('Permission changes:'));
    expect(m.html).toContain('<li>Workspace Owner granted to zoe.gonzalez@contractor.dev</li>');
  });

  it('names the first few in the subject and body, then "and N more"', () => {
    const many = Array.from({ length: 13 }, (_, i) =>
      ownerTo(`owner${String(i).padStart(2, '0')}@example.com`),
    );
    const m = message({ permissionChanges: many });
    expect(m.subject).toContain(
      ': Workspace Owner granted to owner00@example.com; Workspace Owner granted to owner01@example.com and 11 more — 13 permission changes',
    );
    expect(m.text).toContain('  - Workspace Owner granted to owner09@example.com\n  - and 3 more\n');
    expect(m.text).not.toContain('owner10@example.com\n');
  });

  it('says nothing is flagged, and the subject is the counts alone, without privileged changes', () => {
    const m = message({ permissionChanges: [change({})] });
    expect(m.subject).toBe('[access-audit] Acme (acme): 1 permission change, 0 stale invites — 2026-06-30');
    expect(m.text).toContain('Needs attention: nothing flagged');
  });

  it('states the privileged rule in force', () => {
    const m = message({});
    expect(m.text).toMatch(
      /\nPrivileged means: +a role held on the whole workspace \(WORKSPACE resource\) named Workspace Owner, Source Admin,/,
    );
  });
});

describe('changes grouped by person and cause, in plain words', () => {
  it('folds one departed user’s nine rows into one line and names a few roles in full', () => {
    const gone = Array.from({ length: 9 }, (_, i) =>
      change({ resourceId: `src${i}`, resourceName: `Source ${i}` }),
    );
    const m = message({
      permissionChanges: [
        ...gone,
        change({ email: 'ana@example.com', change: 'granted', via: 'Analysts', cause: 'membership_added' }),
        ownerTo('zoe@contractor.dev'),
      ],
    });
    expect(m.text).toContain(
      'Changes by person:\n' +
        '  ! zoe@contractor.dev: granted directly: gained Workspace Owner on Acme\n' +
        '  ana@example.com: joined group Analysts: gained Source Read-only on Website\n' +
        '  gone@example.com: user removed: lost 9 grants\n',
    );
    expect(m.html).toContain(
      '<td style="padding:2px 12px 2px 0;text-align:left;vertical-align:top">user removed</td>',
    );
    expect(m.text).not.toContain('user_removed');
  });

  it('names the privileged role among many grants lost at once', () => {
    const rows = [
      change({}),
      change({ resourceId: 'src2' }),
      ownerTo('gone@example.com', { change: 'revoked', via: 'Engineers', cause: 'user_removed' }),
    ];
    expect(message({ permissionChanges: rows }).text).toContain(
      '  ! gone@example.com: user removed: lost 3 grants, including Workspace Owner\n',
    );
  });

  it('shows at most 25 lines, then says how many more', () => {
    const rows = Array.from({ length: 30 }, (_, i) =>
      change({ email: `p${String(i).padStart(2, '0')}@example.com` }),
    );
    const m = message({ permissionChanges: rows });
    expect(m.text).toContain('p24@example.com: user removed');
    expect(m.text).not.toContain('p25@example.com');
    expect(m.text).toContain('and 5 more lines (see the Permission Changes sheet)');
  });

  it('escapes every row in HTML', () => {
    const m = message({
      permissionChanges: [ownerTo('<img src=x onerror=alert(1)>@x.dev', { roleName: 'Owner<script>' })],
      staleInvites: [invite(1, { email: '"><b>i</b>@x.dev', groupName: '<i>g</i>', groupId: 'g1' })],
    });
    expect(m.html).not.toMatch(/<img|<script|<b>i|<i>g/);
    expect(m.html).toContain('Owner&lt;script&gt; granted to &lt;img src=x onerror=alert(1)&gt;@x.dev');
    expect(m.html).toContain('&lt;i&gt;g&lt;/i&gt;');
  });
});

describe('stale invites', () => {
  it('lists the first 20, then "and N more"', () => {
    const m = message({ staleInvites: Array.from({ length: 23 }, (_, i) => invite(i)) });
    expect(m.text).toContain('Stale invites:\n  invitee0@example.com (workspace invite): pending 29 days\n');
    expect(m.text).toContain('invitee19@example.com');
    expect(m.text).not.toContain('invitee20@example.com');
    expect(m.text).toContain('  and 3 more (see the Stale Invites sheet)');
    expect(m.html).toContain('<li>and 3 more (see the Stale Invites sheet)</li>');
  });

  it('marks an invite seen at the baseline as "at least" its age, and explains it once', () => {
    const m = message({
      staleInvites: [
        invite(1, { seenAtBaseline: true, daysPending: 15 }),
        invite(2, { groupId: 'g1', groupName: 'Engineers' }),
      ],
    });
    expect(m.text).toContain('invitee1@example.com (workspace invite): pending at least 15 days');
    expect(m.text).toContain('invitee2@example.com (group Engineers invite): pending 29 days');
    expect(m.text).toContain('"At least": the invite was already open at the first audit');
    expect(message({ staleInvites: [invite(2)] }).text).not.toContain('At least');
  });
});

describe('SITE_URL', () => {
  it('links the report on the site and the site itself when set', () => {
    const m = message({}, { siteUrl: 'https://audit.example.com/' });
    expect(m.text).toContain(
      'It can also be downloaded from https://audit.example.com/reports/access-audit-2026-06-30-s2.xlsx',
    );
    expect(m.text).toContain('Every report: https://audit.example.com/');
    expect(m.html).toContain('<a href="https://audit.example.com/reports/access-audit-2026-06-30-s2.xlsx">');
    expect(m.html).toContain('<a href="https://audit.example.com/">');
    // Too large to attach: the site is where to get it, not the server's path.
    const big = message({}, { siteUrl: 'https://audit.example.com/', attachLimitBytes: 1 });
    expect(big.text).toContain('Download it from https://audit.example.com/reports/');
    expect(big.text).not.toContain('reports directory');
  });

  it('has no link when unset', () => {
    const m = message({});
    expect(m.text).not.toMatch(/https?:\/\/audit/);
    expect(m.html).not.toContain('<a ');
    expect(m.text).not.toContain('Every report');
  });
});
