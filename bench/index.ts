/**
 * `npm run bench`: runs every benchmark part in turn (or only those named on the command
 * line: `npm run bench -- crawl`). Each part prints its own figures.
 */
import { benchCrawl } from './crawl.js';

const parts: { name: string; run: () => Promise<void> }[] = [{ name: 'crawl', run: benchCrawl }];

const wanted = process.argv.slice(2);
for (const part of parts) {
  if (wanted.length > 0 && !wanted.includes(part.name)) continue;
  console.log(`== ${part.name}`);
  await part.run();
}
