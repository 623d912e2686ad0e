export { collect, SegmentClient, type SegmentClientOptions } from './client.js';
export type { ApiPermission, ApiUser, ApiUserGroup } from './schemas.js';
