export type { ChangeToAttribute } from '../model/audit-event.js';
export {
  type Attribution,
  type AttributionCounts,
  type AttributionStatus,
  attributeChanges,
  type ChangeFlag,
  countAttributions,
  type TrailPeriod,
} from './attribute.js';
export { trailWindow } from './window.js';
