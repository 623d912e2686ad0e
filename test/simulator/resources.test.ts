import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorAdmin } from '../../src/simulator/client.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { call, walk } from './http.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 5, users: 20, groups: 2 });
});
afterAll(() => sim.close());

const named = (type: string) => sim.resourceNames().filter((r) => r.type === type);

describe('resource list endpoints', () => {
  it('GET /sources pages through SourceV1 items with every required member', async () => {
    const { items, pages } = await walk(sim, '/sources', 'sources', 5);
    expect(pages.length).toBeGreaterThan(1);
    expect(items.map((s) => ({ type: 'SOURCE', id: s.id, name: s.name }))).toEqual(named('SOURCE'));
    for (const s of items) {
      expect(s).toMatchObject({
        slug: expect.any(String),
        workspaceId: sim.truth().workspace.id,
        enabled: expect.any(Boolean),
        writeKeys: [expect.stringMatching(/^[A-Za-z0-9]{32}$/)],
        settings: {},
        labels: expect.any(Array),
      });
      expect(s.metadata).toMatchObject({
        id: expect.any(String),
        name: expect.any(String),
        slug: expect.any(String),
        description: expect.any(String),
        logos: { default: expect.stringMatching(/^https:/) },
        options: [],
        categories: expect.any(Array),
        isCloudEventSource: expect.any(Boolean),
        status: 'PUBLIC',
      });
    }
    const labelled = items.filter((s) => s.labels.length > 0);
    expect(labelled.length).toBeGreaterThan(0);
    expect(labelled.length).toBeLessThan(items.length);
    for (const l of labelled.flatMap((s) => s.labels)) {
      expect(l).toEqual({
        key: expect.any(String),
        value: expect.any(String),
        description: expect.any(String),
      });
    }
  });

  it('GET /warehouses gives WarehouseV1: the kind in metadata, the own name in settings', async () => {
    const { items } = await walk(sim, '/warehouses', 'warehouses', 200);
    expect(items.map((w) => ({ type: 'WAREHOUSE', id: w.id, name: w.settings.name }))).toEqual(
      named('WAREHOUSE'),
    );
    for (const w of items) {
      expect(Object.keys(w).sort()).toEqual(['enabled', 'id', 'metadata', 'settings', 'workspaceId']);
      expect(Object.keys(w.metadata).sort()).toEqual([
        'description',
        'id',
        'logos',
        'name',
        'options',
        'slug',
      ]);
      expect(w.metadata.name).not.toBe(w.settings.name);
    }
  });

  it('GET /spaces gives {id, slug, name}', async () => {
    const { items } = await walk(sim, '/spaces', 'spaces', 2);
    expect(items.map((s) => ({ type: 'SPACE', id: s.id, name: s.name }))).toEqual(named('SPACE'));
    for (const s of items) expect(Object.keys(s).sort()).toEqual(['id', 'name', 'slug']);
  });

  it('GET /labels answers the whole catalogue without pagination, like the SDK model', async () => {
    const a = await call(sim, '/labels');
    expect(a.status).toBe(200);
    expect(Object.keys(a.body.data)).toEqual(['labels']);
    const labels = a.body.data.labels as { key: string; value: string; description: string }[];
    expect(labels.map((l) => ({ type: 'LABEL', id: `${l.key}:${l.value}`, name: l.description }))).toEqual(
      named('LABEL'),
    );
    expect(labels).toContainEqual({ key: 'environment', value: 'prod', description: expect.any(String) });
  });

  it('bad pagination on a resource list is a 422 naming pagination.count', async () => {
    const a = await call(sim, '/sources?pagination.count=0');
    expect(a.status).toBe(422);
    expect(a.body.errors[0].field).toBe('pagination.count');
  });
});

describe('renaming a source', () => {
  it('PATCH /sources/{id} renames it in the list and in truth()', async () => {
    const admin = new SimulatorAdmin(sim);
    const [first] = named('SOURCE');
    const source = await admin.renameSource(first!.id, 'Website (old)');
    expect(source).toMatchObject({ id: first!.id, name: 'Website (old)' });
    const { items } = await walk(sim, '/sources', 'sources', 200);
    expect(items.find((s) => s.id === first!.id).name).toBe('Website (old)');
    expect(named('SOURCE').find((r) => r.id === first!.id)?.name).toBe('Website (old)');
    await expect(admin.renameSource('nope', 'x')).rejects.toMatchObject({ status: 404 });
    await expect(admin.renameSource(first!.id, ' ')).rejects.toMatchObject({ status: 422 });
  });
});
