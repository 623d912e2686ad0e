export { type CrawlOptions, crawlWorkspace } from './crawl.js';
export { checkApiReachable } from './preflight.js';
export { crawlAuditTrail, type TrailRead } from './trail.js';
