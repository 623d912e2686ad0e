/**
 * Store benchmark (real server): load + diff + history for a synthetic workspace of
 * 20,000 users (≈100,000 grant rows with the groups') — the baseline, then the next
 * snapshot with 1% changed — and the same at 100,000 users to show the growth.
 *
 *   BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres): a scratch
 *   database is created on that server and dropped afterwards.
 *   BENCH_STORE_USERS (default "20000,100000"): the sizes to run.
 */
import { randomBytes } from 'node:crypto';
import type { Permission, UserGroup, WorkspacePicture, WorkspaceUser } from '../src/model/workspace.js';
import { Secret } from '../src/secret.js';
import { openDatabase } from '../src/store/open.js';
import { beginSnapshot } from '../src/store/snapshots.js';
import { completeSnapshot, SNAPSHOT_STEPS, type SnapshotStep } from '../src/store/write.js';
import { adminStatement } from './processes.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROLES = [
  { id: 'r-owner', name: 'Workspace Owner' },
  { id: 'r-member', name: 'Workspace Member' },
  { id: 'r-src-admin', name: 'Source Admin' },
  { id: 'r-src-read', name: 'Source Read-only' },
] as const;

/**
 * A workspace shaped like a real one: every user has Workspace Member plus a source role
 * on 4 sources (5 direct grant rows: ≈100,000 at 20,000 users), one user in a thousand is
 * a Workspace Owner; users/100 groups, each granting Source Read-only on 2 sources; every
 * user in one group, one in ten in a second (≈22,000 access rows through groups); an
 * invite per 20 users, a group invite in every tenth group.
 */
function syntheticPicture(users: number, seed = 1): WorkspacePicture {
  const rand = prng(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const sources = Math.max(100, users / 10);
  const groupCount = Math.max(1, Math.floor(users / 100));
  const list: WorkspaceUser[] = [];
  for (let i = 0; i < users; i++) {
    const id = `u${String(i).padStart(7, '0')}`;
    const role = ROLES[2 + (i % 2)]!;
    const permissions: Permission[] = [
      { roleId: 'r-member', roleName: 'Workspace Member', resources: [{ id: 'ws', type: 'WORKSPACE' }] },
      {
        roleId: role.id,
        roleName: role.name,
        resources: [0, 1, 2, 3].map((k) => ({ id: `src${(i * 4 + k) % sources}`, type: 'SOURCE' })),
      },
    ];
    if (i % 1000 === 0) {
      permissions.push({
        roleId: 'r-owner',
        roleName: 'Workspace Owner',
        resources: [{ id: 'ws', type: 'WORKSPACE' }],
      });
    }
    list.push({ id, email: `user${i}@bench.test`, name: `User ${i}`, permissions });
  }
  const groups: UserGroup[] = [];
  const members: string[][] = Array.from({ length: groupCount }, () => []);
  for (let i = 0; i < users; i++) {
    members[pick(groupCount)]!.push(list[i]!.id);
    if (i % 10 === 0) members[pick(groupCount)]!.push(list[i]!.id);
  }
  for (let g = 0; g < groupCount; g++) {
    const memberIds = [...new Set(members[g])].sort();
    groups.push({
      id: `g${String(g).padStart(5, '0')}`,
      name: `Group ${g}`,
      memberCount: memberIds.length,
      memberIds,
      permissions: [
        {
          roleId: 'r-src-read',
          roleName: 'Source Read-only',
          resources: [0, 1].map((k) => ({ id: `src${(g * 2 + k) % sources}`, type: 'SOURCE' })),
        },
      ],
      inviteEmails: g % 10 === 0 ? [`group-invite${g}@bench.test`] : [],
    });
  }
  const invites = Array.from({ length: Math.floor(users / 20) }, (_, i) => `invite${i}@bench.test`).sort();
  return {
    apiUrl: 'http://bench.test',
    workspace: { id: 'ws', slug: 'bench', name: 'Bench' },
    roles: ROLES.map((r) => ({ ...r, description: r.name })),
    users: list,
    invites,
    groups,
    resources: [],
    completeness: {
      declared: {},
      walked: { users, invites: invites.length, groups: groupCount, roles: ROLES.length },
      memberCountMismatches: [],
      groupsDeletedDuringWalk: [],
      crossCheck: { sampled: 0, agreed: 0, disagreements: [] },
      withoutPermissions: { users: 0, groups: 0 },
      unreadableResourceLists: [],
      warnings: [],
    },
    stats: {
      requests: 0,
      retries: 0,
      rateLimited: 0,
      rateLimitWaitMs: 0,
      maxPageSize: 200,
      startedAt: new Date(0).toISOString(),
      durationMs: 0,
    },
  };
}

/** 1% of users changed: a quarter removed, a quarter added, a quarter regranted, a quarter moved group. */
function mutateOnePercent(p: WorkspacePicture, seed = 2): WorkspacePicture {
  const rand = prng(seed);
  const n = p.users.length;
  const quarter = Math.max(1, Math.floor(n / 400));
  const users = p.users.map((u) => ({ ...u, permissions: [...u.permissions] }));
  const removed = new Set<string>();
  for (let k = 0; k < quarter; k++) removed.add(users[Math.floor(rand() * n)]!.id);
  for (let k = 0; k < quarter; k++) {
    const u = users[Math.floor(rand() * n)]!;
    u.permissions[1] = { ...u.permissions[1]!, resources: [{ id: `src-new-${k}`, type: 'SOURCE' }] };
  }
  const kept = users.filter((u) => !removed.has(u.id));
  for (let k = 0; k < quarter; k++) {
    kept.push({
      id: `new${String(k).padStart(6, '0')}`,
      email: `new${k}@bench.test`,
      name: `New ${k}`,
      permissions: [
        { roleId: 'r-member', roleName: 'Workspace Member', resources: [{ id: 'ws', type: 'WORKSPACE' }] },
      ],
    });
  }
  const groups = p.groups.map((g) => ({ ...g, memberIds: g.memberIds.filter((id) => !removed.has(id)) }));
  for (let k = 0; k < quarter; k++) {
    const g = groups[Math.floor(rand() * groups.length)]!;
    g.memberIds = [...new Set([...g.memberIds, kept[Math.floor(rand() * kept.length)]!.id])].sort();
  }
  return {
    ...p,
    users: kept.sort((a, b) => a.id.localeCompare(b.id)),
    groups,
    invites: [
      ...p.invites.slice(quarter),
      ...Array.from({ length: quarter }, (_, i) => `fresh${i}@bench.test`),
    ].sort(),
  };
}

interface StepTimes {
  label: string;
  users: number;
  grants: number;
  changes: number;
  ms: Record<SnapshotStep | 'total', number>;
}

async function timedSnapshot(
  url: Secret,
  picture: WorkspacePicture,
  takenAt: Date,
  label: string,
): Promise<StepTimes> {
  const handle = await openDatabase({ databaseUrl: url, dataDir: '.' });
  try {
    const id = await beginSnapshot(handle.db, { takenAt, staleInviteDays: 14, apiUrl: picture.apiUrl });
    const ms = {} as StepTimes['ms'];
    const start = performance.now();
    let last = start;
    const r = await completeSnapshot(handle.db, id, picture, {
      onStep: (step) => {
        const now = performance.now();
        ms[step] = now - last;
        last = now;
      },
    });
    ms.total = performance.now() - start;
    const changes = Object.values(r.changes).reduce((a, b) => a + b, 0);
    return { label, users: r.counts.users, grants: r.counts.grants, changes, ms };
  } finally {
    await handle.close();
  }
}

function print(rows: StepTimes[]): void {
  const cols = ['begin', 'load', 'diff', 'history', 'finish', 'total'] as const;
  const head = `${'snapshot'.padEnd(22)} ${'users'.padStart(7)} ${'grants'.padStart(7)} ${'changes'.padStart(7)} ${cols.map((c) => `${c} ms`.padStart(10)).join(' ')}`;
  process.stdout.write(`${head}\n`);
  for (const r of rows) {
    process.stdout.write(
      `${r.label.padEnd(22)} ${String(r.users).padStart(7)} ${String(r.grants).padStart(7)} ${String(r.changes).padStart(7)} ${cols.map((c) => r.ms[c].toFixed(0).padStart(10)).join(' ')}\n`,
    );
  }
}

export async function benchStore(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const sizes = (process.env.BENCH_STORE_USERS ?? '20000,100000').split(',').map(Number);
  process.stdout.write(
    `store: load + diff + history on a real server (steps: ${SNAPSHOT_STEPS.join(' → ')})\n`,
  );
  const rows: StepTimes[] = [];
  for (const users of sizes) {
    const name = `audit_bench_${randomBytes(4).toString('hex')}`;
    await adminStatement(serverUrl, `CREATE DATABASE "${name}"`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    const url = new Secret(u.toString());
    try {
      const base = syntheticPicture(users);
      rows.push(await timedSnapshot(url, base, new Date('2026-06-01T06:00:00Z'), `${users} baseline`));
      rows.push(
        await timedSnapshot(
          url,
          mutateOnePercent(base),
          new Date('2026-06-08T06:00:00Z'),
          `${users} 1% changed`,
        ),
      );
    } finally {
      await adminStatement(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  }
  print(rows);
  const per = (label: string) => rows.find((r) => r.label === label);
  const [small, large] = sizes;
  if (small && large && large !== small) {
    for (const kind of ['baseline', '1% changed']) {
      const a = per(`${small} ${kind}`);
      const b = per(`${large} ${kind}`);
      if (a && b) {
        process.stdout.write(
          `growth ${kind}: ${(b.ms.total / a.ms.total).toFixed(2)}× time for ${(large / small).toFixed(1)}× users\n`,
        );
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchStore().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
