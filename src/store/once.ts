/**
 * An idempotent stop: the first call runs `stop`, later ones resolve at once, so a handle
 * closed twice (a command's `finally` and a signal) never stops a pool or server twice.
 */
export function once(stop: () => Promise<void>): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    await stop();
  };
}
