import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Worksheet } from 'exceljs';

/**
 * Backpressure that exceljs's streaming writer lacks. A committed row goes into the
 * sheet's StreamBuf, which writes to the zip entry's PassThrough *ignoring* its return
 * value; when rows come faster than deflate and the disk take them (they do: zlib gets
 * one turn of the event loop per chunk), the whole sheet's XML piles up in that
 * PassThrough. Measured at 500,000 rows: +170 MiB of buffers, RSS 330 MiB instead of flat.
 *
 * So every hundred rows the writer asks here to wait while that backlog (or the file
 * stream's) is above a bound. The backlog is read from exceljs internals (the worksheet's
 * `stream`, its `pipes`, their `_writableState.length`); if a later exceljs changes them,
 * `zipBacklog` returns undefined and the writer still yields a turn, and the report test
 * `backpressure finds exceljs's zip entry stream` fails to say so.
 */

interface PipeLike {
  _writableState?: { length?: number };
}
interface StreamBufLike {
  pipes?: PipeLike[];
}

/** Bytes waiting to be deflated for this worksheet, or undefined if exceljs's internals moved. */
export function zipBacklog(ws: Worksheet): number | undefined {
  const stream = (ws as unknown as { stream?: StreamBufLike }).stream;
  const pipes = stream?.pipes;
  if (!Array.isArray(pipes) || pipes.length === 0) return undefined;
  let total = 0;
  for (const p of pipes) {
    const n = p._writableState?.length;
    if (typeof n !== 'number') return undefined;
    total += n;
  }
  return total;
}

export type Relief = (ws: Worksheet) => Promise<void>;

const HIGH_WATER = 1024 * 1024;

/**
 * A relief function for one workbook: yields a turn, then waits (in short sleeps, so it
 * cannot hang on a lost event) while the zip entry or the output file is backed up.
 * `failed` reports an error of the zip or the file so the wait ends with it.
 */
export function reliefFor(
  out: { writableNeedDrain?: boolean; writableLength?: number },
  failed: () => Error | undefined,
): Relief {
  return async (ws) => {
    await nextTurn();
    for (;;) {
      const error = failed();
      if (error !== undefined) throw error;
      const backlog = zipBacklog(ws) ?? 0;
      if (backlog <= HIGH_WATER && (out.writableLength ?? 0) <= HIGH_WATER) return;
      await sleep(1);
    }
  };
}
