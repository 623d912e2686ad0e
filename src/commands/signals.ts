/**
 * The long-running commands' stop request: the first SIGTERM or SIGINT. Listen from the
 * very start of a command, so that a signal that arrives while it is still opening the
 * database is a clean stop too, not Node's default (death by signal). After the first
 * signal the listeners are gone: a second one ends the process at once (an impatient
 * operator's Ctrl-C), which leaves at worst a `running` snapshot that the next run marks
 * abandoned.
 */
export interface StopRequest {
  /** The signal received so far, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Resolves with the first signal. */
  readonly signal: Promise<NodeJS.Signals>;
}

export function watchStopSignals(): StopRequest {
  let received: NodeJS.Signals | undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      received = s;
      resolve(s);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
  return {
    get received() {
      return received;
    },
    signal,
  };
}
