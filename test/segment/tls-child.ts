/**
 * Runs with NODE_EXTRA_CA_CERTS naming the test CA (Node reads it only at start, hence a
 * child process): requests through the real fetch to HTTPS servers whose certificates are
 * signed by that CA — valid, expired, for another host — and prints what happened as JSON.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AuditError } from '../../src/errors.js';
import { fastClient } from './helpers.js';

const pem = (name: string) => readFileSync(new URL(`./fixtures/tls/${name}`, import.meta.url));

async function attempt(certificate: string): Promise<Record<string, unknown>> {
  const server = createServer({ key: pem('leaf.key'), cert: pem(`${certificate}.pem`) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { workspace: { id: 'w', slug: 's', name: 'n' } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = fastClient(`https://127.0.0.1:${port}`, 'tok-0000', { retries: 3 });
  try {
    const workspace = await client.getWorkspace();
    return { certificate, id: workspace.id, requests: client.stats.requests };
  } catch (error) {
    const e = error instanceof AuditError ? error : new AuditError('INTERNAL', String(error));
    return { certificate, code: e.code, message: e.message, requests: client.stats.requests };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const results = [];
for (const certificate of ['trusted', 'expired', 'other-host']) results.push(await attempt(certificate));
process.stdout.write(JSON.stringify(results));
