import { collect } from '../../segment/index.js';
import type { CrawlState } from '../state.js';

/** GET /invites: pending workspace invites (bare emails). */
export function walkInvites(s: CrawlState): void {
  s.tasks.spawn(async () => {
    const t = s.tracker;
    const list = await collect(s.client.listInvites(), (p) => {
      t.pages++;
      t.invites += p.items.length;
      t.show();
    });
    s.walked.declared.invites = list.totalEntries;
    s.walked.invites = list.items;
  });
}
