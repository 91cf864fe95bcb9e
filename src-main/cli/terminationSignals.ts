/**
 * The signals that ask a Leash process to end: Ctrl+C (SIGINT), `kill` and service managers
 * (SIGTERM), a closed terminal or SSH session (SIGHUP). SIGPIPE is not among them: Node ignores
 * it, and a failed write is handled where it happens (see io.ts).
 */
export const TERMINATION_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type TerminationSignal = (typeof TERMINATION_SIGNALS)[number];

/**
 * Calls `listener` for every termination signal until the returned function is called. Keep it
 * installed until the shutdown has finished: a signal that arrives with no listener of ours
 * takes the default action and kills the process halfway through stopping what it runs (a
 * second Ctrl+C, a SIGHUP after the terminal closed).
 */
export function onTerminationSignal(target: NodeJS.EventEmitter, listener: (signal: TerminationSignal) => void): () => void {
  const installed = TERMINATION_SIGNALS.map((signal) => {
    const handler = (): void => listener(signal);
    target.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of installed) target.off(signal, handler);
  };
}

/**
 * Resolves with why the process should end: the first termination signal, or an uncaught
 * exception (then the process must still stop its commands before it dies). Later signals go
 * to `onRepeat` (the shutdown is already under way; they must not cut it short).
 */
export function untilTermination(
  target: NodeJS.EventEmitter,
  onRepeat: (signal: TerminationSignal) => void,
): { reason: Promise<string>; dispose: () => void } {
  let first = true;
  let resolveReason: (why: string) => void = () => undefined;
  const reason = new Promise<string>((resolve) => (resolveReason = resolve));
  const removeSignals = onTerminationSignal(target, (signal) => {
    if (!first) return onRepeat(signal);
    first = false;
    resolveReason(`received ${signal}`);
  });
  const onCrash = (error: unknown): void => {
    if (!first) return;
    first = false;
    resolveReason(`internal error: ${(error as Error)?.message ?? String(error)}`);
  };
  process.on('uncaughtException', onCrash);
  return {
    reason,
    dispose() {
      removeSignals();
      process.off('uncaughtException', onCrash);
    },
  };
}
