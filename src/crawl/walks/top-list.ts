import type { CrawlState } from '../state.js';

/** A page of a top-level list as the client yields it. */
interface ListPage<T> {
  items: T[];
  page: number;
  totalEntries: number | undefined;
}

/**
 * Walks a top-level list (users, groups) page by page as pages arrive: keeps the total the
 * first page declares, notes an id met on two pages, hands each item on, then counts the
 * page and shows progress (`counter`: the tracker's count of the list's distinct ids).
 */
export async function walkTopList<T extends { id: string }>(
  s: CrawlState,
  list: 'users' | 'groups',
  counter: 'users' | 'groupsListed',
  pages: AsyncIterable<ListPage<T>>,
  each: (item: T) => void,
): Promise<void> {
  for await (const page of pages) {
    if (page.page === 1) s.walked.declared[list] = page.totalEntries;
    for (const item of page.items) {
      s.walked.noteDuplicate(list, item.id, page.page);
      each(item);
    }
    s.walked.pageWalked(list);
    s.tracker.pages++;
    s.tracker[counter] = s.walked[list].size;
    s.tracker.show();
  }
}
