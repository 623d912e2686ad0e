import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AuditError } from '../../src/errors.js';
import { fastClient, json, tinyServer } from './helpers.js';

const fixture = (name: string) => new URL(`./fixtures/tls/${name}`, import.meta.url);

async function failure(promise: Promise<unknown>): Promise<AuditError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuditError);
  return error as AuditError;
}

/** The child's JSON lines: what each certificate led to. */
function runChild(): Promise<
  { certificate: string; id?: string; code?: string; message?: string; requests: number }[]
> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./tls-child.ts', import.meta.url))],
      {
        env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: fileURLToPath(fixture('ca.pem')) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (status) =>
      status === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child ${status}: ${err}`)),
    );
  });
}

describe('TLS failures are final', () => {
  it('a self-signed certificate: API_TLS on the first attempt, saying why', async () => {
    const server = createServer(
      { key: readFileSync(fixture('leaf.key')), cert: readFileSync(fixture('self-signed.pem')) },
      (_req, res) => json(res, 200, { data: { workspace: { id: 'w', slug: 's', name: 'n' } } }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = fastClient(`https://127.0.0.1:${port}`, 'tok-0000', { retries: 3 });
      const e = await failure(client.getWorkspace());
      expect(e.code).toBe('API_TLS');
      expect(e.message).toBe(
        `GET /: the TLS certificate of 127.0.0.1:${port} was not accepted (self-signed certificate; ` +
          'DEPTH_ZERO_SELF_SIGNED_CERT); check SEGMENT_API_URL, or for a private certificate authority ' +
          'name its certificate in NODE_EXTRA_CA_CERTS',
      );
      expect(client.stats.requests).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('an https URL at a server without TLS is final too', async () => {
    const plain = await tinyServer((_url, _req, res) => json(res, 200, {}));
    try {
      const client = fastClient(plain.url.replace('http:', 'https:'), 'tok-0000', { retries: 3 });
      const e = await failure(client.getWorkspace());
      expect(e.code).toBe('API_TLS');
      expect(e.message).toMatch(/ERR_SSL_WRONG_VERSION_NUMBER/);
      expect(client.stats.requests).toBe(1);
    } finally {
      await plain.close();
    }
  });

  it('expired and host-name mismatch (a trusted CA): final, each named; the valid one works', async () => {
    const [trusted, expired, otherHost] = await runChild();
    expect(trusted).toEqual({ certificate: 'trusted', id: 'w', requests: 1 });
    expect(expired).toMatchObject({ code: 'API_TLS', requests: 1 });
    expect(expired?.message).toMatch(/\(certificate has expired; CERT_HAS_EXPIRED\)/);
    expect(otherHost).toMatchObject({ code: 'API_TLS', requests: 1 });
    expect(otherHost?.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(otherHost?.message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
  });
});
