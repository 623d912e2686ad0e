export { type CrawlOptions, crawlWorkspace } from './crawl.js';
export { crawlAuditTrail, type TrailRead } from './trail.js';
