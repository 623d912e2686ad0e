import { describe, expect, it } from 'vitest';
import { AuditError, errorLine } from '../../src/errors.js';
import { collect } from '../../src/segment/index.js';
import { fastClient, json, tinyServer } from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<AuditError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuditError);
  return error as AuditError;
}

/** A list of `total` invites served in pages of the count asked (up to `limit`, else 422). */
function invitesServer(total: number, refuse: (count: number) => unknown) {
  const emails = Array.from({ length: total }, (_, i) => `p${String(i).padStart(4, '0')}@x.test`);
  return tinyServer((url, _req, res) => {
    const count = Number(url.searchParams.get('pagination.count'));
    const refusal = refuse(count);
    if (refusal !== undefined) return json(res, 422, refusal);
    const start = Number(url.searchParams.get('pagination.cursor') ?? '0');
    const end = Math.min(total, start + count);
    const pagination = {
      current: String(start),
      next: end < total ? String(end) : null,
      totalEntries: total,
    };
    json(res, 200, { data: { invites: emails.slice(start, end), pagination } });
  });
}

const countsAsked = (urls: { url: string }[]) =>
  urls.map((r) => new URL(r.url, 'http://x').searchParams.get('pagination.count'));

describe('page size', () => {
  it('asks for 1,000 items a page', async () => {
    const server = await invitesServer(2500, () => undefined);
    try {
      const client = fastClient(server.url, 'tok-0000');
      const all = await collect(client.listInvites());
      expect(all.items).toHaveLength(2500);
      expect(countsAsked(server.requests)).toEqual(['1000', '1000', '1000']);
      expect(client.stats.maxPageSize).toBe(1000);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['the field names the count', { errors: [{ type: 'input-validation', field: 'pagination.count' }] }],
    [
      'only the message does',
      { errors: [{ type: 'ValidationError', message: 'count must be 1 to 200', field: null }] },
    ],
  ])(
    'a 422 on pagination.count (%s): 200 for the rest of the run, the page asked again',
    async (_n, refusal) => {
      const server = await invitesServer(450, (count) => (count > 200 ? refusal : undefined));
      try {
        const client = fastClient(server.url, 'tok-0000');
        const all = await collect(client.listInvites());
        expect(all.items).toHaveLength(450);
        expect(new Set(all.items).size).toBe(450);
        expect(countsAsked(server.requests)).toEqual(['1000', '200', '200', '200']);
        // Another list of the same client asks for 200 at once.
        await collect(client.listInvites());
        expect(countsAsked(server.requests.slice(4))).toEqual(['200', '200', '200']);
        expect(client.stats.maxPageSize).toBe(200);
      } finally {
        await server.close();
      }
    },
  );

  it('a refusal on a later page asks that page again, same cursor', async () => {
    let firstPage = true;
    const server = await invitesServer(1500, (count) => {
      if (firstPage) {
        firstPage = false;
        return undefined;
      }
      return count > 200 ? { errors: [{ type: 'input-validation', field: 'pagination.count' }] } : undefined;
    });
    try {
      const all = await collect(fastClient(server.url, 'tok-0000').listInvites());
      expect(all.items).toHaveLength(1500);
      expect(server.requests.map((r) => r.url).slice(0, 3)).toEqual([
        '/invites?pagination.count=1000',
        '/invites?pagination.count=1000&pagination.cursor=1000',
        '/invites?pagination.count=200&pagination.cursor=1000',
      ]);
    } finally {
      await server.close();
    }
  });

  it('other 422s stay final: another field, or the count already at 200', async () => {
    const cursorRefusal = { errors: [{ type: 'input-validation', field: 'pagination.cursor' }] };
    const server = await invitesServer(10, () => cursorRefusal);
    try {
      const e = await failure(collect(fastClient(server.url, 'tok-0000').listInvites()));
      expect(e.code).toBe('API_REJECTED');
      expect(e.details).toMatchObject({ status: 422, field: 'pagination.cursor' });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
    const always = await invitesServer(10, () => ({ errors: [{ type: 'x', field: 'pagination.count' }] }));
    try {
      const e = await failure(collect(fastClient(always.url, 'tok-0000').listInvites()));
      expect(e.code).toBe('API_REJECTED');
      expect(countsAsked(always.requests)).toEqual(['1000', '200']);
    } finally {
      await always.close();
    }
  });
});

describe('bounds', () => {
  it('a body beyond maxResponseBytes fails naming the endpoint, not retried', async () => {
    const big = JSON.stringify({ data: { workspace: { id: 'w', slug: 's', name: 'n'.repeat(40_000) } } });
    const server = await tinyServer((_url, _req, res) => {
      // Chunked (no Content-Length): the bound must hold while streaming.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(big);
    });
    try {
      const client = fastClient(server.url, 'tok-0000', { maxResponseBytes: 10_000 });
      const e = await failure(client.getWorkspace());
      expect(e.code).toBe('API_TOO_LARGE');
      expect(e.message).toBe('GET /: the response body is larger than 9.8 KiB; it was cut off');
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('an endless body is cut off at the bound, long before the timeout', async () => {
    let closed = false;
    const server = await tinyServer((_url, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":{"workspace":{"id":"w","slug":"s","name":"');
      const chunk = 'x'.repeat(64 * 1024);
      const pump = () => {
        while (!closed && res.write(chunk)) {}
        if (!closed) res.once('drain', pump);
      };
      res.on('close', () => {
        closed = true;
      });
      pump();
    });
    try {
      // A timeout of a minute: only the byte bound can end this request inside the test's time.
      const client = fastClient(server.url, 'tok-0000', {
        maxResponseBytes: 2 * 1024 * 1024,
        requestTimeoutMs: 60_000,
      });
      const e = await failure(client.getWorkspace());
      expect(e.code).toBe('API_TOO_LARGE');
      expect(e.message).toMatch(/^GET \/: the response body is larger than 2\.0 MiB/);
      await expect.poll(() => closed).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a page with far more items than asked is refused', async () => {
    const server = await tinyServer((_url, _req, res) =>
      json(res, 200, {
        data: { invites: Array.from({ length: 250 }, (_, i) => `${i}@x.test`), pagination: { current: 'a' } },
      }),
    );
    try {
      const e = await failure(collect(fastClient(server.url, 'tok-0000', { pageSize: 200 }).listInvites()));
      expect(e.code).toBe('API_TOO_LARGE');
      expect(e.message).toBe(
        'GET /invites page 1: 250 items on one page, 200 asked for (at most 220 accepted)',
      );
    } finally {
      await server.close();
    }
  });

  it.each([
    ['user.email', { id: 'u1', name: 'n', email: `${'e'.repeat(400)}@x.test` }, 407, 320],
    ['user.id', { id: 'u'.repeat(300), name: 'n', email: 'a@x.test' }, 300, 256],
  ])('%s beyond its bound fails naming the endpoint and the field', async (field, user, length, limit) => {
    const server = await tinyServer((_url, _req, res) => json(res, 200, { data: { user } }));
    try {
      const e = await failure(fastClient(server.url, 'tok-0000').getUser('u1'));
      expect(e.code).toBe('API_TOO_LARGE');
      expect(e.message).toBe(
        `GET /users/u1: ${field} is ${length} characters long, more than the ${limit} accepted`,
      );
      expect(e.details).toMatchObject({ field });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('a name beyond its bound (free text a member sets) is cut and marked, never fatal', async () => {
    // 4,094 ASCII units, then an emoji (a surrogate pair) across the cut: it is not split.
    const long = `${'n'.repeat(4094)}\u{1F600}${'x'.repeat(5000)}`;
    const user = {
      id: 'u1',
      name: long,
      email: 'a@x.test',
      permissions: [{ roleId: 'r', roleName: 'R'.repeat(10_000), resources: [] }],
    };
    const server = await tinyServer((_url, _req, res) => json(res, 200, { data: { user } }));
    try {
      const got = await fastClient(server.url, 'tok-0000').getUser('u1');
      expect(got.name).toBe(`${'n'.repeat(4094)}…`);
      expect(got.permissions?.[0]?.roleName).toBe(`${'R'.repeat(4095)}…`);
    } finally {
      await server.close();
    }
  });
});

describe('API text in errors', () => {
  it('terminal escape sequences and control characters are shown, never passed through', async () => {
    const hostile = 'no \u001b[2J\u001b]0;pwned\u0007 way\r\nsecond line \u202e reversed \u009b31m';
    const server = await tinyServer((url, _req, res) =>
      json(res, url.pathname === '/' ? 401 : 422, {
        errors: [{ type: 'x', message: hostile, field: 'f\u001b[1m' }],
      }),
    );
    try {
      const client = fastClient(server.url, 'tok-0000');
      for (const e of [await failure(client.getWorkspace()), await failure(collect(client.listInvites()))]) {
        for (const text of [e.message, errorLine(e), JSON.stringify(e.details)]) {
          // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the test.
          expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
        }
        expect(e.message).toContain(
          'no \\u001b[2J\\u001b]0;pwned\\u0007 way\\u000d\\u000asecond line \\u202e reversed',
        );
      }
      const rejected = await failure(collect(client.listInvites()));
      expect(rejected.details.field).toBe('f\\u001b[1m');
    } finally {
      await server.close();
    }
  });
});
