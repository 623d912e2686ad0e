import { describe, expect, it } from 'vitest';
import { buildCompleteness } from '../../src/crawl/completeness.js';
import { chooseSample, compareMemberships } from '../../src/crawl/cross-check.js';
import { Feeder } from '../../src/crawl/feeder.js';
import { createLimiter } from '../../src/crawl/limiter.js';
import { normalizePermissions } from '../../src/crawl/normalize.js';
import { Walked } from '../../src/crawl/state.js';
import { TaskGroup } from '../../src/crawl/tasks.js';

describe('limiter', () => {
  it('runs at most n tasks at once, in the order they came', async () => {
    const limiter = createLimiter(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      return i;
    };
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => limiter.run(task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('keeps first-come order across thousands queued (the queue compacts as it drains)', async () => {
    const limiter = createLimiter(3);
    const started: number[] = [];
    const ids = Array.from({ length: 5000 }, (_, i) => i);
    await Promise.all(
      ids.map((i) =>
        limiter.run(async () => {
          started.push(i);
          await Promise.resolve();
        }),
      ),
    );
    expect(started).toEqual(ids);
    expect(limiter.queued).toBe(0);
    expect(limiter.active).toBe(0);
  });

  it('takes a new limit at once: a higher one starts queued tasks, a lower one starts none until under it', async () => {
    const limiter = createLimiter(1);
    const gates: (() => void)[] = [];
    let active = 0;
    let peak = 0;
    const task = () =>
      limiter.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
      });
    const all = Array.from({ length: 8 }, task);
    await Promise.resolve();
    expect(limiter.active).toBe(1);
    limiter.setLimit(4);
    expect(limiter.active).toBe(4);
    expect(limiter.queued).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(gates).toHaveLength(4);
    limiter.setLimit(2);
    // Nothing is stopped; as tasks finish no new one starts until fewer than 2 run.
    for (const open of gates.splice(0, 3)) open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(limiter.active).toBe(2);
    while (limiter.active > 0) {
      for (const open of gates.splice(0)) open();
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(limiter.active).toBeLessThanOrEqual(2);
    }
    await Promise.all(all);
    expect(peak).toBe(4);
    expect(limiter.queued).toBe(0);
    expect(() => limiter.setLimit(0)).toThrow(RangeError);
  });

  it('a failing task frees its slot; an aborted signal stops queued tasks', async () => {
    const controller = new AbortController();
    const limiter = createLimiter(1, controller.signal);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const blocker = limiter.run(() => new Promise((resolve) => setTimeout(resolve, 20)));
    const queued = limiter.run(async () => 'ran');
    controller.abort(new Error('stopped'));
    await blocker;
    await expect(queued).rejects.toThrow('stopped');
  });
});

describe('feeder', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

  it('runs a task for every id, with at most `ahead` of them spawned at a time', async () => {
    const tasks = new TaskGroup(createLimiter(10), new AbortController());
    let spawned = 0;
    let peak = 0;
    const done: string[] = [];
    const feeder = new Feeder(
      tasks,
      async (id) => {
        peak = Math.max(peak, ++spawned);
        await tick();
        done.push(id);
        spawned--;
      },
      3,
    );
    const ids = Array.from({ length: 20 }, (_, i) => `u${i}`);
    for (const id of ids) feeder.add(id);
    await tasks.settle();
    expect(done.sort()).toEqual([...ids].sort());
    expect(peak).toBe(3);
  });

  it('spawns no more after a task failed, and the group fails with that error', async () => {
    const tasks = new TaskGroup(createLimiter(10), new AbortController());
    const ran: string[] = [];
    const feeder = new Feeder(
      tasks,
      async (id) => {
        ran.push(id);
        await tick();
        if (id === 'u1') throw new Error('boom');
      },
      2,
    );
    for (let i = 0; i < 10; i++) feeder.add(`u${i}`);
    await expect(tasks.settle()).rejects.toThrow('boom');
    expect(ran.length).toBeLessThan(10);
  });
});

describe('ids listed twice', () => {
  /** Lists `pages` of user ids the way walkTopList does: note, add, then close the page. */
  function walk(pages: string[][]): string[] {
    const w = new Walked({ id: 'ws', slug: 'acme', name: 'Acme' });
    pages.forEach((ids, i) => {
      for (const id of ids) {
        w.noteDuplicate('users', id, i + 1);
        w.users.set(id, undefined);
      }
      w.pageWalked('users');
    });
    return w.notes;
  }

  it('names the page each id was first listed on, however far back', () => {
    expect(
      walk([
        ['a', 'b'],
        ['c', 'b'],
        ['d', 'a', 'e'],
        ['c', 'f', 'f'],
      ]),
    ).toEqual([
      'users: b was listed twice (pages 1 and 2); kept once (the later copy)',
      'users: a was listed twice (pages 1 and 3); kept once (the later copy)',
      'users: c was listed twice (pages 2 and 4); kept once (the later copy)',
      'users: f was listed twice (pages 4 and 4); kept once (the later copy)',
    ]);
  });

  it('notes nothing when every id is listed once', () => {
    expect(walk([['a', 'b'], ['c']])).toEqual([]);
  });
});

describe('cross-check sample', () => {
  const ids = Array.from({ length: 100 }, (_, i) => `user-${String(i).padStart(3, '0')}`);

  it('is reproducible, independent of input order, spread out and sorted', () => {
    const a = chooseSample(ids, 20);
    const b = chooseSample([...ids].reverse(), 20);
    expect(a).toEqual(b);
    expect(a).toHaveLength(20);
    expect(a).toEqual([...a].sort());
    expect(a).not.toEqual(ids.slice(0, 20));
    expect(chooseSample(ids.slice(0, 5), 20)).toHaveLength(5);
    expect(chooseSample(ids, 0)).toEqual([]);
  });

  it('compares memberships as sets, ignoring groups deleted during the walk', () => {
    expect(compareMemberships('u', ['b', 'a'], ['a', 'b'], new Set())).toBeUndefined();
    expect(compareMemberships('u', ['a', 'gone'], ['a'], new Set(['gone']))).toBeUndefined();
    expect(compareMemberships('u', ['a', 'c'], ['a'], new Set())).toEqual({
      userId: 'u',
      fromUser: ['a', 'c'],
      fromGroups: ['a'],
    });
  });
});

describe('normalisation and completeness', () => {
  it('sorts permissions and resources, drops empty labels, keeps unknown types', () => {
    expect(
      normalizePermissions([
        { roleId: 'r2', roleName: 'B', resources: [{ id: 'z', type: 'SOURCE' }], labels: [] },
        {
          roleId: 'r1',
          roleName: 'A',
          resources: [
            { id: 'y', type: 'MYSTERY', labels: [] },
            { id: 'x', type: 'SPACE' },
          ],
        },
      ]),
    ).toEqual([
      {
        roleId: 'r1',
        roleName: 'A',
        resources: [
          { id: 'x', type: 'SPACE' },
          { id: 'y', type: 'MYSTERY' },
        ],
      },
      { roleId: 'r2', roleName: 'B', resources: [{ id: 'z', type: 'SOURCE' }] },
    ]);
  });

  it('warns about declared totals that differ from the walk, in a fixed order', () => {
    const c = buildCompleteness({
      declared: { users: 3, groups: 1 },
      walked: { users: 2, groups: 1, invites: 0, roles: 0 },
      groups: [],
      memberCounts: new Map(),
      groupsDeletedDuringWalk: ['g9'],
      withoutPermissions: { users: 1, groups: 0 },
      unreadableResourceLists: ['/warehouses', '/sources', '/warehouses'],
      crossCheck: { sampled: 0, agreed: 0, disagreements: [] },
      crossCheckWarnings: [],
      notes: ['z note', 'a note'],
    });
    expect(c.warnings).toEqual([
      'users: the API declared 3 (totalEntries), the walk collected 2',
      'group g9 was deleted while the workspace was walked (404); it is left out',
      'GET /sources: the token may not read this list, or the workspace lacks it (401/403/404); its resources are named by id only',
      'GET /warehouses: the token may not read this list, or the workspace lacks it (401/403/404); its resources are named by id only',
      'a note',
      'z note',
    ]);
    expect(c.withoutPermissions).toEqual({ users: 1, groups: 0 });
    expect(c.unreadableResourceLists).toEqual(['/sources', '/warehouses']);
  });
});
