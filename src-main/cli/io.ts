import type { Readable, Writable } from 'node:stream';

/** What a CLI command may touch; tests pass their own streams. */
export interface CliIO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2, stopped: 130 } as const;

export class UsageError extends Error {
  constructor(message: string, readonly code = 'USAGE') {
    super(message);
  }
}

/**
 * Writes `text` and resolves once it was handed on, or once writing failed. Never rejects and
 * never throws: a reader that went away (`leash serve | tee log` after Ctrl+C killed tee: EPIPE,
 * a closed terminal: EIO) must not abort what the caller does next — above all a shutdown,
 * which has to stop running commands whether or not anyone can read about it.
 */
export function write(stream: Writable, text: string): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      stream.write(text, () => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Makes a stream's write failures harmless: without an `error` listener, an EPIPE on
 * process.stdout is an uncaught exception that ends the process mid-shutdown.
 */
export function tolerateWriteFailures(stream: Writable): void {
  if (!stream.listeners('error').includes(ignoreError)) stream.on('error', ignoreError);
}

function ignoreError(): void {
  // The reader is gone; later writes are skipped by `write` (the stream is destroyed).
}

export function processIO(): CliIO {
  tolerateWriteFailures(process.stdout);
  tolerateWriteFailures(process.stderr);
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
