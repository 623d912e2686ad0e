import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port that was free a moment ago (PORT must be 1..65535, so 0 cannot be passed). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}
