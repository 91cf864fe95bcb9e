/**
 * `leash serve` is the only stop button in browser mode, so a bug that escapes every handler
 * (an exception thrown from a timer, a rejected promise nobody awaited) must not end the process
 * while a batch may be running. It must not be hidden either: each one is printed in full, with
 * its stack, as a bug to report. Handlers for requests already answer errors themselves; this is
 * the last line, not the first.
 */
const MAX_REPORTS = 50;

/** Installs the process-wide handlers; returns a function that removes them. */
export function guardProcess(log: (line: string) => void): () => void {
  let reports = 0;
  const report = (origin: string) => (error: unknown): void => {
    reports += 1;
    if (reports > MAX_REPORTS) return; // A failing log (a closed terminal) must not loop forever.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    try {
      log(`internal error (${origin}): a bug in Leash, please report it. serve keeps running so its stop still works.\n${detail}`);
    } catch {
      // Nowhere left to say it.
    }
  };
  const onException = report('uncaught exception');
  const onRejection = report('unhandled rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
