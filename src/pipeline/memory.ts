/**
 * A full garbage collection between stages. V8 lets the old generation grow to several
 * times what was live at its last full collection, so the crawl's garbage (page bodies,
 * validation copies) would otherwise still be on the heap when the store and the report
 * start allocating, and the process's peak memory would grow with the workspace far
 * faster than what the run actually keeps. One collection at each hand-over costs tens of
 * milliseconds.
 *
 * `gc` exists only when Node was started with `--expose-gc` (the Docker image's CMD and
 * the benchmark do so; NODE_OPTIONS may not carry this flag). Turning it on after start
 * with v8.setFlagsFromString is unsafe by Node's own documentation, so without the flag
 * this does nothing: the run is the same, its peak RSS higher (measured at 100,000 users:
 * 398 MB instead of 314 MB).
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
