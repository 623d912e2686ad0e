/**
 * Progress of long work. On a terminal it redraws one status line on stderr (throttled);
 * elsewhere it stays quiet and leaves the record to the structured log, so CI logs and
 * log shippers never see carriage-return noise.
 */
export interface Progress {
  /** Replace the status line (cheap to call often: redraws at most ~10 times a second). */
  update(text: string): void;
  /** Clear the status line (before normal output resumes). */
  done(): void;
}

export const noProgress: Progress = { update() {}, done() {} };

/** What the progress line needs of its stream (a terminal's stderr, or a test's stand-in). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export function terminalProgress(stream: ProgressStream): Progress {
  if (!stream.isTTY) return noProgress;
  let last = 0;
  let shown = false;
  let pending: string | undefined;
  const draw = (text: string) => {
    // columns is 0 (not undefined) on a pseudo-terminal that never reported a size.
    const width = Math.max(20, (stream.columns || 100) - 1);
    stream.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    shown = true;
  };
  return {
    update(text) {
      const now = Date.now();
      pending = text;
      if (now - last < 100) return;
      last = now;
      draw(text);
      pending = undefined;
    },
    done() {
      if (pending !== undefined) draw(pending);
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
      pending = undefined;
    },
  };
}
