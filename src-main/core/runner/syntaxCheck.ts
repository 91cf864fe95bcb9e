import { execa } from 'execa';
import { tmpdir } from 'node:os';

export type SyntaxCheck =
  | { ok: true }
  | { ok: false; code: 'SYNTAX_ERROR' | 'SHELL_NOT_FOUND' | 'CHECK_FAILED'; message: string };

/** Generous: parsing never takes this long; it only bounds a shell that misbehaves. */
const CHECK_TIMEOUT_MS = 10_000;

/**
 * Asks the shell itself whether `command` parses, with `shell -n -c command`: `-n` reads the
 * commands without executing any of them. The shell gets an empty environment (so no
 * `BASH_ENV` file is sourced on startup) and the temp directory as its cwd. The message is the
 * shell's own diagnostic without its `bash: -c: ` prefix, e.g. "line 1: syntax error near
 * unexpected token `)'". Never rejects.
 */
export async function checkSyntax(command: string, shell = '/bin/bash'): Promise<SyntaxCheck> {
  const result = await execa(shell, ['-n', '-c', command], {
    reject: false,
    extendEnv: false,
    env: {},
    cwd: tmpdir(),
    stdin: 'ignore',
    timeout: CHECK_TIMEOUT_MS,
  });
  if (result.exitCode === 0) return { ok: true };
  if (result.exitCode === undefined) {
    const notFound = result.code === 'ENOENT' || result.code === 'EACCES';
    return { ok: false, code: notFound ? 'SHELL_NOT_FOUND' : 'CHECK_FAILED', message: result.originalMessage ?? result.shortMessage ?? `${shell} could not be started` };
  }
  const diagnostic = result.stderr.trim().replace(/^.*?: -c: /gm, '');
  return { ok: false, code: 'SYNTAX_ERROR', message: diagnostic || `${shell} -n exited with ${result.exitCode}` };
}
