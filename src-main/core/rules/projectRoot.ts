import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';

/** A project as a rule's scope: the git work tree enclosing a directory, or the directory itself. */
export interface Project {
  root: string;
  kind: 'git' | 'directory';
}

/** The real path, so `~/code/app` and a symlink to it are one project; as given if it does not exist. */
export function realDirectory(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

/**
 * The project enclosing `cwd`: the nearest directory at or above it holding `.git` (a
 * directory, or the file a linked work tree or submodule has), else `cwd` itself. Found from
 * the file system alone: no git process runs, so no repository config or hook is consulted.
 */
export function projectOf(cwd: string): Project {
  const start = realDirectory(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return { root: dir, kind: 'git' };
    if (dirname(dir) === dir) return { root: start, kind: 'directory' };
  }
}

/** True when `dir` is `root` or inside it (both real, absolute paths). */
export function isInside(dir: string, root: string): boolean {
  if (!isAbsolute(dir) || !isAbsolute(root)) return false;
  return dir === root || dir.startsWith(root.endsWith(sep) ? root : root + sep);
}
