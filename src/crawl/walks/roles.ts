import { collect } from '../../segment/index.js';
import type { CrawlState } from '../state.js';

/** GET /roles: the roles grants refer to, with their descriptions. */
export function walkRoles(s: CrawlState): void {
  s.tasks.spawn(async () => {
    const list = await collect(s.client.listRoles(), () => s.tracker.pages++);
    const { walked } = s;
    walked.declared.roles = list.totalEntries;
    for (const r of list.items) {
      if (walked.roles.has(r.id))
        walked.notes.push(`roles: ${r.id} was listed twice; kept once (the later copy)`);
      walked.roles.set(r.id, { id: r.id, name: r.name, description: r.description });
    }
  });
}
