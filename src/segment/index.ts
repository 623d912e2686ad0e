export {
  readAuditTrail,
  type TrailRead,
  type TrailWindow,
} from './audit-events.js';
export { collect, SegmentClient, type SegmentClientOptions } from './client.js';
export type { RequestOutcome } from './http.js';
export type { ApiWarehouse } from './resources.js';
export type { ApiPermission, ApiUser, ApiUserGroup } from './schemas.js';
export { SegmentWriteClient, type WriteAnswer } from './write-client.js';
