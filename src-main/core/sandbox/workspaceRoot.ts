import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isWithin } from './protectedPaths.js';

export type WorkspaceRoot = { ok: true; root: string; how: 'git work tree' | 'working directory' } | { ok: false; message: string };

export interface WorkspaceRules {
  home: string;
  /** Leash's own state (see `leashStatePaths`): a workspace may not sit inside it, nor contain a part of it that does not exist yet. */
  statePaths: readonly string[];
  /** Credential locations: a workspace may not sit inside one. */
  credentialPaths: readonly string[];
}

/**
 * The directory a workspace-profile entry may write: the git work tree that contains `cwd`
 * (a project root), or `cwd` itself when there is none, or when the work tree is not
 * acceptable but `cwd` is (a home directory kept in git, say).
 *
 * A root is refused when it is `/` or the home directory or one of its ancestors (writing there
 * means writing `~/.bashrc`, `~/.config/autostart`: persistence outside any project, which no
 * mount can hide path by path), or when it lies inside Leash's state or a credential location
 * (those are hidden from every command, so the entry would see an empty, read-only directory).
 *
 * A root that *contains* Leash's state (a project holding the data directory, a test's temp
 * directory) is accepted: the mount plan hides every existing state path after the workspace
 * is bound, and pins the directories on the way to it so none can be renamed away (see
 * mountPlan.ts). Only a state path that does not exist yet is refused: nothing can be mounted
 * over it, so a command could create it (a forged inbox bookkeeping folder, say).
 *
 * The work tree is found by looking for `.git` on the way up, never by running git: the
 * repository is untrusted and its configuration can make git run programs.
 */
export function findWorkspaceRoot(cwd: string, rules: WorkspaceRules): WorkspaceRoot {
  const start = resolve(cwd);
  const tree = enclosingWorkTree(start);
  const candidates = tree && tree !== start ? [tree, start] : [start];
  let refusal = '';
  for (const candidate of candidates) {
    const problem = workspaceProblem(candidate, rules);
    if (problem === null) return { ok: true, root: candidate, how: candidate === tree ? 'git work tree' : 'working directory' };
    // The working directory's own problem is the one a person can act on.
    refusal = problem;
  }
  return { ok: false, message: refusal };
}

/** Why `root` cannot be a workspace, or null when it can. */
export function workspaceProblem(root: string, rules: WorkspaceRules): string | null {
  const home = resolve(rules.home);
  if (root === '/') return 'the working directory is the root of the filesystem, so a command could write every file you can';
  if (isWithin(home, root)) return `${root} ${root === home ? 'is' : 'contains'} your home directory, so a command could change your shell start-up files and settings`;
  const inside = rules.statePaths.find((path) => isWithin(root, path));
  if (inside) return `${root} is inside Leash’s own data (${inside}), which is hidden from every command`;
  const credential = rules.credentialPaths.find((path) => isWithin(root, path));
  if (credential) return `${root} is inside a credential location (${credential}), which is hidden from every command`;
  // A missing path inside an existing hidden one (the audit's checkpoint in the data directory) is covered with it.
  const covered = (path: string): boolean => rules.statePaths.some((other) => other !== path && isWithin(path, other) && existsSync(other));
  const missing = rules.statePaths.find((path) => isWithin(path, root) && !existsSync(path) && !covered(path));
  if (missing) return `${root} contains ${missing}, a place for Leash’s own data that does not exist yet, so the sandbox cannot cover it and a command could create it`;
  const linked = rules.statePaths.find((path) => isWithin(path, root) && reachedThroughLink(path, root));
  if (linked) return `${root} contains a symbolic link on the way to Leash’s own data (${linked}), which a command could point elsewhere`;
  return null;
}

/** True when a symbolic link between `root` and `path` (inside it) leads somewhere else: a command in `root` could change it. */
function reachedThroughLink(path: string, root: string): boolean {
  if (!existsSync(path)) return false; // covered by an enclosing hidden path, or refused as missing
  try {
    return realpathSync.native(path) !== join(realpathSync.native(root), relative(root, path));
  } catch {
    return true;
  }
}

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file in a linked work tree). */
function enclosingWorkTree(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    try {
      if (statSync(join(current, '.git'), { throwIfNoEntry: false }) !== undefined) return current;
    } catch {
      // not here (a file on the way, no permission)
    }
    if (dirname(current) === current) return undefined;
  }
}
