import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection between stages. V8 lets the old generation grow to several
 * times what was live at its last full collection, so the crawl's garbage (page bodies,
 * validation copies) would otherwise still be on the heap when the store and the report
 * start allocating, and the process's peak memory would grow with the workspace far
 * faster than what the run actually keeps. One collection at each hand-over costs tens of
 * milliseconds. `gc` is exposed only to this function's own context.
 */
let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
