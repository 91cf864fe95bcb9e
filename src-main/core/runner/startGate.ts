import { accessSync, constants, statSync } from 'node:fs';
import type { Writable } from 'node:stream';

/**
 * The start gate: an entry's process is created held, before its command runs, so that Leash
 * can record who it is (pid and start time) durably first. Without it there is a window
 * between the spawn and the record in which a crash of Leash leaves a running command nobody
 * can find again (entries run detached, in their own session, and outlive Leash).
 *
 * The process spawned is `/bin/sh -c GATE leash-gate PROGRAM ARGS...`: it waits for one line on
 * standard input, then `exec`s the real program (same pid, same start time, same process group)
 * with standard input from /dev/null. If Leash dies before opening the gate, the pipe closes,
 * `read` sees end of file and the gate exits 125 without running anything.
 *
 * Whatever the runner spawns (the shell itself, or a sandbox such as bwrap wrapping it) goes
 * behind the gate as PROGRAM ARGS, so the recorded identity is always the spawned process.
 */
export const GATE_SHELL = '/bin/sh';

/** Exit status of a gate that was never opened (Leash went away first). */
export const GATE_CLOSED_EXIT = 125;

const GATE_SCRIPT = `IFS= read -r leash_go || exit ${GATE_CLOSED_EXIT}; exec "$@" </dev/null`;

/** The argv that runs `program args...` behind the gate. Arguments are passed, never interpolated. */
export function gatedCommand(program: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: GATE_SHELL, args: ['-c', GATE_SCRIPT, 'leash-gate', program, ...args] };
}

/** Lets the held process go on to run its command. Safe to call once the process has died. */
export function openGate(stdin: Writable): void {
  stdin.on('error', () => undefined); // EPIPE when the process was killed while held
  if (stdin.destroyed || stdin.writableEnded) return;
  stdin.end('go\n');
}

/**
 * The gate's `exec` of a missing program would fail inside the process (exit 127, like a
 * command not found), so the program is checked before the spawn: true when `path` is an
 * executable regular file. (A shell given by bare name is looked up by `sh`'s PATH instead.)
 */
export function isExecutableFile(path: string): boolean {
  if (!path.includes('/')) return true;
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
