import type { BatchService } from './batch/index.js';

/**
 * How every Leash process ends (a signal to `leash serve` or `leash run`, the desktop app's
 * quit): the emergency stop first when anything is at work, then the doors (control socket,
 * web server) close, then the Leash itself (the audit, releasing its lock). Each step runs
 * whatever the one before it did, and nothing here depends on being able to print.
 */

/** The words that tell a person or an agent a stop came from Leash ending, not from a person. */
export const SHUTDOWN_PREFIX = 'Leash shut down';

/** The stop reason recorded for a shutdown: `Leash shut down (received SIGTERM)`. */
export function shutdownReason(why: string): string {
  return `${SHUTDOWN_PREFIX} (${why})`;
}

/** True for a note or reason written by {@link shutdownReason}. */
export function isShutdownReason(text: string | null | undefined): boolean {
  return typeof text === 'string' && text.startsWith(SHUTDOWN_PREFIX);
}

/**
 * True while a batch runs or waits in the run queue: then Leash may not go without the
 * emergency stop, or the command would outlive it (entries run detached, in their own groups).
 */
export function hasWorkInFlight(batches: Pick<BatchService, 'list'>): boolean {
  return batches.list({ status: ['running', 'approved'], limit: 1 }).total > 0;
}

export interface ShutdownStep {
  /** Named in a failure report ("closing the control socket failed: ..."). */
  name: string;
  close(): Promise<void>;
}

export interface ShutdownReport {
  /** The emergency stop ran (something was at work). */
  stopped: boolean;
  /** Steps that failed; the later ones ran anyway. */
  failures: string[];
}

/**
 * Runs the way out once: emergency stop (with `shutdownReason(why)`) if work is in flight, then
 * each step in order, each given `stepTimeoutMs`. Never rejects; a failing step is reported and the next still runs, so a
 * broken socket cannot keep the audit lock held. `log` is best effort and must not throw.
 */
export async function shutDown(
  batches: Pick<BatchService, 'list' | 'emergencyStop'>,
  why: string,
  steps: readonly ShutdownStep[],
  log: (line: string) => void = () => undefined,
  stepTimeoutMs = STEP_TIMEOUT_MS,
): Promise<ShutdownReport> {
  const report: ShutdownReport = { stopped: false, failures: [] };
  const failed = (what: string, error: unknown): void => {
    const line = `${what} failed: ${(error as Error)?.message ?? String(error)}`;
    report.failures.push(line);
    try {
      log(line);
    } catch {
      // Reporting is best effort.
    }
  };
  try {
    if (hasWorkInFlight(batches)) {
      report.stopped = true;
      await batches.emergencyStop({ reason: shutdownReason(why) });
    }
  } catch (error) {
    failed('the emergency stop', error);
  }
  for (const step of steps) {
    try {
      await withinTime(step.close(), stepTimeoutMs);
    } catch (error) {
      failed(step.name, error);
    }
  }
  return report;
}

/** A step that hangs (a client that never lets go of its socket) must not hold the rest up. */
const STEP_TIMEOUT_MS = 5000;

function withinTime(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
