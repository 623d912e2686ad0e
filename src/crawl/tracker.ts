import type { Progress } from '../log/progress.js';

/** Counts what the walk has done so far and shows it as one status line. */
export class CrawlTracker {
  pages = 0;
  users = 0;
  invites = 0;
  groupsListed = 0;
  groupsWalked = 0;
  details = 0;
  crossChecked = 0;
  #waitUntil = 0;
  readonly #progress: Progress;
  readonly #requests: () => number;

  constructor(progress: Progress, requests: () => number) {
    this.#progress = progress;
    this.#requests = requests;
  }

  waiting(ms: number): void {
    this.#waitUntil = Date.now() + ms;
    this.show();
  }

  show(): void {
    const parts = [
      `${this.pages} pages`,
      `${this.users} users`,
      `groups ${this.groupsWalked}/${this.groupsListed}`,
      `${this.invites} invites`,
    ];
    if (this.details > 0) parts.push(`${this.details} details`);
    if (this.crossChecked > 0) parts.push(`${this.crossChecked} cross-checked`);
    parts.push(`${this.#requests()} requests`);
    const left = this.#waitUntil - Date.now();
    const wait = left > 0 ? ` · waiting ${(left / 1000).toFixed(1)} s for the rate limit` : '';
    this.#progress.update(`crawl: ${parts.join(' · ')}${wait}`);
  }
}
