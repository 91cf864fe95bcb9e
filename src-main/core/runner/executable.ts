import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/** Words bash handles itself (`compgen -k` and `compgen -b` of bash 5): no file is looked up for them. */
const BASH_KEYWORDS = new Set([
  'if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'in',
  'function', 'time', '{', '}', '!', '[[', ']]', 'coproc',
]);
const BASH_BUILTINS = new Set([
  '.', ':', '[', 'alias', 'bg', 'bind', 'break', 'builtin', 'caller', 'cd', 'command', 'compgen', 'complete',
  'compopt', 'continue', 'declare', 'dirs', 'disown', 'echo', 'enable', 'eval', 'exec', 'exit', 'export', 'false',
  'fc', 'fg', 'getopts', 'hash', 'help', 'history', 'jobs', 'kill', 'let', 'local', 'logout', 'mapfile', 'popd',
  'printf', 'pushd', 'pwd', 'read', 'readarray', 'readonly', 'return', 'set', 'shift', 'shopt', 'source',
  'suspend', 'test', 'times', 'trap', 'true', 'type', 'typeset', 'ulimit', 'umask', 'unalias', 'unset', 'wait',
]);

/** The PATH bash 5 uses when none is set (its compiled-in default, as `env -i bash -c 'echo $PATH'` shows). */
export const BASH_DEFAULT_PATH = '/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.';

export type ResolvedExecutable =
  /** A keyword or builtin: bash runs it without looking for a file (even where one exists, like `echo`). */
  | { kind: 'builtin'; name: string }
  /** The absolute path bash would execute. */
  | { kind: 'file'; path: string };

/** Resolves true for a regular file (after symlinks) that we may execute; never rejects. */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Says what bash would run for a command name, without running anything. Keywords and builtins
 * come first (as in bash, aliases and functions aside: a fresh `bash -c` has none); a name with
 * a `/` is a path, taken relative to `cwd`; any other name is searched in `env.PATH` in order,
 * where an empty element means the working directory and an unset PATH means bash's default.
 * Resolves null when bash would report "command not found" or "Permission denied".
 */
export async function resolveExecutable(
  name: string,
  env: Record<string, string | undefined>,
  cwd: string = process.cwd(),
): Promise<ResolvedExecutable | null> {
  if (name === '') return null;
  if (BASH_KEYWORDS.has(name) || BASH_BUILTINS.has(name)) return { kind: 'builtin', name };
  if (name.includes('/')) {
    const path = resolve(cwd, name);
    return (await isExecutableFile(path)) ? { kind: 'file', path } : null;
  }
  for (const directory of (env.PATH ?? BASH_DEFAULT_PATH).split(':')) {
    const path = resolve(cwd, directory === '' ? '.' : directory, name);
    if (await isExecutableFile(path)) return { kind: 'file', path };
  }
  return null;
}
