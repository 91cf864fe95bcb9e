/**
 * The runner's public vocabulary: what to run, what comes back, and the stable error codes a
 * caller (batch runner, IPC, audit) can branch on.
 */

/** One shell command to run in its own process group. */
export interface EntryRequest {
  command: string;
  cwd: string;
  /**
   * Wall-clock limit in milliseconds from the spawn, after which the kill path runs with reason
   * `timed_out`. Non-positive, non-finite or beyond setTimeout's range (~24.8 days) means none.
   */
  timeoutMs: number;
  /** Absolute path of the shell that runs `shell -c command`; defaults to `/bin/bash`. */
  shell?: string;
  /** The complete environment of the command: nothing is inherited from Leash. */
  env: Record<string, string | undefined>;
  /**
   * The sandbox to start the shell in: `file ...args shell -c command` runs instead (bubblewrap
   * or sandbox-exec, see core/sandbox). The kill path then ends the wrapper's whole tree; under
   * bubblewrap that is a PID namespace, so nothing inside outlives it.
   */
  wrapper?: { file: string; args: string[] };
}

export type OutputStreamName = 'stdout' | 'stderr';

/** Callbacks from a running entry. They are called on the event loop; a hook that throws is ignored. */
export interface EntryHooks {
  /**
   * Called once, after `startEntry` returns and before any `onOutput`. Not called if the spawn
   * failed. The process exists but its command has not run yet: it runs once the returned
   * promise (if any) resolves, so a caller can record the process durably first. If it
   * rejects, the process is killed unrun and the entry ends `error` (SPAWN_FAILED).
   */
  onStart?(pid: number): void | Promise<void>;
  /**
   * Live output, decoded as UTF-8 and coalesced: at most one call per ~50 ms unless ~64 KiB is
   * pending. Across calls the text of each stream is complete and in order; every call happens
   * before the entry's result settles.
   */
  onOutput?(stream: OutputStreamName, text: string): void;
}

export type KillReason = 'cancelled' | 'timed_out';

export type EntryOutcome = 'completed' | 'error' | KillReason;

export type EntryErrorCode =
  /** The working directory does not exist or is not a directory. */
  | 'CWD_NOT_FOUND'
  /** The shell does not exist or is not executable. */
  | 'SHELL_NOT_FOUND'
  /** Any other failure to create the process (e.g. `E2BIG` for a command longer than the kernel takes). */
  | 'SPAWN_FAILED'
  /** The process ran but its output could not be read to the end. */
  | 'OUTPUT_FAILED'
  /** A patch entry was not applied (the entry's `patch.outcome` has the precise code); nothing was changed. */
  | 'PATCH_FAILED'
  /** The entry was approved to run in a sandbox that no longer works here (it was not run). */
  | 'SANDBOX_UNAVAILABLE'
  /** The entry's sandbox could not be set up as approved, e.g. an unsafe workspace root (it was not run). */
  | 'SANDBOX_REFUSED';

export interface EntryError {
  code: EntryErrorCode;
  message: string;
}

/**
 * A bounded record of one output stream: the first and last bytes as text, plus the length and
 * SHA-256 of everything the command wrote, so an audit can refer to the full stream by hash.
 */
export interface CapturedStream {
  /** The whole stream when it fits in head + tail; otherwise its first bytes. */
  head: string;
  /** Empty unless `truncated`; then the stream's last bytes. */
  tail: string;
  /** True when bytes between `head` and `tail` were dropped. */
  truncated: boolean;
  /** Length of the full stream in bytes. */
  bytes: number;
  /** Lower-case hex SHA-256 of the full stream. */
  sha256: string;
}

export interface EntryRunResult {
  /** `completed` is exit 0; `error` is a non-zero exit, death by a signal we did not send, or a spawn failure. */
  outcome: EntryOutcome;
  exitCode: number | null;
  /** Name of the signal that ended the shell (e.g. `SIGTERM`), or null. */
  signal: string | null;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  stdout: CapturedStream;
  stderr: CapturedStream;
  error?: EntryError;
}

export interface RunningEntry {
  /** The shell's pid, which is also the process group id; null when the spawn failed. */
  pid: number | null;
  /** Settles (never rejects) once the process tree is gone and output is captured. */
  result: Promise<EntryRunResult>;
  /**
   * Stops the whole tree (SIGTERM, then SIGKILL after the grace) and resolves once `result` has
   * settled. The first reason wins; calling it after the entry finished changes nothing.
   */
  kill(reason: KillReason): Promise<void>;
  /**
   * Stops reading the entry's stdout and stderr (backpressure from a slow consumer of
   * `onOutput`): the kernel pipe fills and the command blocks in its own write, so nothing piles
   * up in Leash's memory beyond one read buffer per stream. Idempotent; a kill resumes reading
   * (so the tree's last bytes drain and the result settles).
   */
  pause(): void;
  /** Reads the output pipes again after `pause`. Idempotent. */
  resume(): void;
}
