/**
 * The window a run reads the trail for: from the previous complete snapshot's time, less
 * an overlap, to the run's own time. The overlap costs nothing (events are kept once per
 * id) and catches events the API records a little after they happen; a clock that went
 * backwards still gives a valid window. The first run has no start: all the API still
 * keeps (90 days).
 */
const DEFAULT_OVERLAP_MS = 60 * 60 * 1000;

export function trailWindow(
  previousTakenAt: Date | undefined,
  takenAt: Date,
  overlapMs: number = DEFAULT_OVERLAP_MS,
): { startTime?: Date; endTime: Date } {
  if (previousTakenAt === undefined) return { endTime: takenAt };
  const start = Math.min(previousTakenAt.getTime(), takenAt.getTime()) - Math.max(0, overlapMs);
  return { startTime: new Date(start), endTime: takenAt };
}
