import { CronExpressionParser } from 'cron-parser';

/**
 * Schedule arithmetic (pure: the clock is an argument). node-cron fires the ticks but only
 * looks forward from the real clock; catch-up needs the most recent scheduled time
 * before a given instant, in the schedule's time zone and across DST changes, which
 * cron-parser computes.
 */
export function mostRecentScheduledTime(expression: string, timeZone: string, now: Date): Date | null {
  // prev() excludes its starting instant, so start a millisecond later: a run started
  // exactly on a tick counts that tick as the most recent one.
  const it = CronExpressionParser.parse(expression, {
    currentDate: new Date(now.getTime() + 1),
    tz: timeZone,
  });
  try {
    return it.prev().toDate();
  } catch {
    return null; // an expression with no earlier match (cron-parser gives up after its search bound)
  }
}

export function nextScheduledTime(expression: string, timeZone: string, after: Date): Date | null {
  const it = CronExpressionParser.parse(expression, { currentDate: after, tz: timeZone });
  try {
    return it.next().toDate();
  } catch {
    return null;
  }
}

/**
 * The catch-up rule of docs/operations.md: at start, run at once if no complete snapshot is newer
 * than the most recent scheduled time (a host that was down on Monday still produces
 * Monday's report). One run covers any number of missed periods: the audit is of the
 * workspace as it is now, so replaying missed ticks one by one would only repeat it.
 */
export function isCatchUpDue(lastCompleteTakenAt: Date | null, mostRecentScheduled: Date | null): boolean {
  if (mostRecentScheduled === null) return false;
  if (lastCompleteTakenAt === null) return true;
  return lastCompleteTakenAt.getTime() < mostRecentScheduled.getTime();
}

/** Scheduled periods looked at, at most, going back (a per-second schedule must not loop for ages). */
const MISSED_SCAN_LIMIT = 5_000;

/**
 * The scheduled times whose period (from that time to the next) has no snapshot at all,
 * newest first, at most `limit`: what the site lists as missed. A period with a failed
 * run is not missed (the run is listed). Periods before the first snapshot are not
 * missed either: nothing was running the tool then. The current period counts once its
 * time has passed without a snapshot.
 */
export function missedPeriods(
  expression: string,
  timeZone: string,
  snapshotTimes: readonly Date[],
  now: Date,
  limit = 100,
): Date[] {
  if (snapshotTimes.length === 0) return [];
  const times = snapshotTimes.map((d) => d.getTime()).sort((a, b) => b - a);
  const first = times[times.length - 1]!;
  const it = CronExpressionParser.parse(expression, {
    currentDate: new Date(now.getTime() + 1),
    tz: timeZone,
  });
  const missed: Date[] = [];
  let end = Number.POSITIVE_INFINITY; // the start of the next (later) period
  let i = 0; // times[i] is the newest snapshot not yet placed in a period
  for (let scanned = 0; scanned < MISSED_SCAN_LIMIT && missed.length < limit; scanned++) {
    let start: number;
    try {
      start = it.prev().getTime();
    } catch {
      break;
    }
    if (end <= first) break;
    while (i < times.length && times[i]! >= end) i++;
    if (!(i < times.length && times[i]! >= start)) missed.push(new Date(start));
    end = start;
  }
  return missed;
}
