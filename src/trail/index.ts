export {
  type Attribution,
  type AttributionCounts,
  type AttributionStatus,
  attributeChanges,
  type ChangeFlag,
  type ChangeToAttribute,
  countAttributions,
  type TrailPeriod,
} from './attribute.js';
export { trailWindow } from './window.js';
