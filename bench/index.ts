/**
 * `npm run bench`: runs every benchmark part in order — crawl, store, report, latency, run —
 * or only those named on the command line (`npm run bench -- run`, `npm run bench -- crawl
 * store`). Each part prints its own figures as it goes; the issue-14 figures, with their
 * targets and ratios, come again at the end in one table (bench/results.ts). The store,
 * latency and run parts need a PostgreSQL server (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres).
 *
 * Several parts run one after another each in a process of its own, so that one part's
 * memory never shows in the next part's peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCrawl } from './crawl.js';
import { benchReport } from './report.js';
import { printTable } from './results.js';
import { benchLatency, benchRun } from './run.js';
import { benchStore } from './store.js';

const parts: { name: string; run: () => Promise<void> }[] = [
  { name: 'crawl', run: benchCrawl },
  { name: 'store', run: benchStore },
  { name: 'report', run: () => benchReport() },
  { name: 'latency', run: benchLatency },
  { name: 'run', run: benchRun },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !parts.some((p) => p.name === w));
if (unknown.length > 0) {
  console.error(
    `error: unknown benchmark part ${unknown.join(', ')} (parts: ${parts.map((p) => p.name).join(', ')})`,
  );
  process.exit(2);
}
const selected = parts.filter((p) => wanted.length === 0 || wanted.includes(p.name));
if (selected.length > 1) {
  const self = fileURLToPath(import.meta.url);
  const results = join(tmpdir(), `bench-results-${process.pid}.jsonl`);
  const env = { ...process.env, BENCH_RESULTS: results };
  try {
    for (const part of selected) {
      const r = spawnSync(process.execPath, [...process.execArgv, self, part.name], {
        stdio: 'inherit',
        env,
      });
      if (r.status !== 0) process.exit(r.status ?? 1);
    }
    printTable(results);
  } finally {
    rmSync(results, { force: true });
  }
} else {
  // One part alone (npm run bench -- run) prints its own table.
  const own = process.env.BENCH_RESULTS ? undefined : join(tmpdir(), `bench-results-${process.pid}.jsonl`);
  if (own) process.env.BENCH_RESULTS = own;
  for (const part of selected) {
    console.log(`== ${part.name}`);
    const started = performance.now();
    await part.run();
    console.log(`== ${part.name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  if (own) {
    printTable(own);
    rmSync(own, { force: true });
  }
}
