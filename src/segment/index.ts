export {
  type ApiAuditEvent,
  readAuditTrail,
  type TrailRead,
  type TrailWindow,
} from './audit-events.js';
export { collect, SegmentClient, type SegmentClientOptions } from './client.js';
export type { ClientStats } from './http.js';
export type { Page } from './paginate.js';
export type { ApiWarehouse } from './resources.js';
export type {
  ApiGroupRef,
  ApiMemberUser,
  ApiPermission,
  ApiRole,
  ApiUser,
  ApiUserGroup,
  ApiWorkspace,
} from './schemas.js';
