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
  /** Stops listening (the command ended without a signal, e.g. on a configuration error). */
  dispose(): void;
}

export function watchStopSignals(): StopRequest {
  let received: NodeJS.Signals | undefined;
  let on: (s: NodeJS.Signals) => void = () => {};
  const dispose = () => {
    process.off('SIGTERM', on);
    process.off('SIGINT', on);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    on = (s: NodeJS.Signals) => {
      dispose();
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
    dispose,
  };
}

/** Runs a long-lived command with SIGTERM/SIGINT watched for as long as it runs. */
export async function whileWatchingStopSignals(run: (stop: StopRequest) => Promise<void>): Promise<void> {
  const stop = watchStopSignals();
  try {
    await run(stop);
  } finally {
    stop.dispose();
  }
}
