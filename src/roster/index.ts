/** The roster room: parsing and validating a roster, the matching rule, reconciliation (pure). */
export {
  exceptionRows,
  findExceptions,
  type ReconcileInput,
  reconciliationSummary,
  suggestedDecisions,
} from './exceptions.js';
export { readRosterFile } from './read.js';
