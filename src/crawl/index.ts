export { type CrawlOptions, crawlWorkspace } from './crawl.js';
