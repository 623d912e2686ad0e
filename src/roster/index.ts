/** The roster room: parsing and validating a roster, the matching rule, reconciliation (pure). */
export {
  exceptionRows,
  type Finding,
  findExceptions,
  type ReconcileInput,
  reconciliationSummary,
  suggestedDecisions,
} from './exceptions.js';
export { domainAllowed, emailKey } from './match.js';
export { parseRoster, type RosterSource } from './parse.js';
export { readRosterFile } from './read.js';
