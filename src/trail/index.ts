export type { ChangeToAttribute } from '../model/audit-event.js';
export {
  type AttributionCounts,
  attributeChanges,
  countAttributions,
} from './attribute.js';
export { trailWindow } from './window.js';
