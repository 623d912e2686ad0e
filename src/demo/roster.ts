import type { SimulatedTruth } from '../simulator/index.js';
import { CONTRACTOR, LEAVER } from '../simulator/index.js';

/**
 * The demo's HR roster, as an HR export would give it: every user of the seeded workspace
 * as active, but the leaver (terminated `leftDaysBefore` days before `firstAudit`, still a
 * Workspace Owner) and the outside contractor (not an employee, so not listed). With
 * ALLOWED_EMAIL_DOMAINS set to `domain`, the demo's report and email show both.
 */
export function demoRoster(
  truth: SimulatedTruth,
  firstAudit: Date,
  leftDaysBefore = 20,
): { csv: string; domain: string } {
  const leaver = truth.users.find((u) => u.name === LEAVER.name);
  if (!leaver) throw new Error('the demo workspace has no leaver');
  const domain = leaver.email.slice(leaver.email.lastIndexOf('@') + 1);
  const endDate = new Date(firstAudit.getTime() - leftDaysBefore * 24 * 60 * 60 * 1000)
    .toISOString()
    .slice(0, 10);
  // An HR export's columns, with its `Work Email` header renamed as docs/roster.md says.
  const lines = ['Employee ID,email,status,end_date'];
  truth.users.forEach((u, i) => {
    if (u.email === CONTRACTOR.email) return;
    const gone = u.id === leaver.id;
    lines.push(`E${1000 + i},${u.email},${gone ? 'terminated' : 'active'},${gone ? endDate : ''}`);
  });
  return { csv: `${lines.join('\r\n')}\r\n`, domain };
}
