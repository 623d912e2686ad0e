export { type CrawlOptions, crawlWorkspace } from './crawl.js';
export { checkApiReachable } from './preflight.js';
