import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isWithin } from './protectedPaths.js';

export type WorkspaceRoot = { ok: true; root: string; how: 'git work tree' | 'working directory' } | { ok: false; message: string };

export interface WorkspaceRules {
  home: string;
  /** Leash's own state (see `leashStatePaths`): a workspace may neither contain nor sit inside it. */
  statePaths: readonly string[];
  /** Credential locations: a workspace may not contain them. */
  credentialPaths: readonly string[];
}

/**
 * The directory a workspace-profile entry may write: the git work tree that contains `cwd`
 * (a project root), or `cwd` itself when there is none, or when the work tree is not
 * acceptable but `cwd` is (a home directory kept in git, say).
 *
 * A root is refused when it is `/`, the home directory or one of its ancestors (writing there
 * means writing `~/.bashrc`, `~/.config/autostart`: persistence outside any project), when it
 * contains Leash's state or a credential location, or when it lies inside Leash's state. Hiding
 * those paths is not enough: a path that does not exist yet cannot be hidden, and could be
 * created.
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
  if (root === '/') return 'the working directory is the root of the filesystem';
  if (isWithin(home, root)) return `${root} ${root === home ? 'is' : 'contains'} your home directory, so a command could change your shell start-up files and settings`;
  const state = rules.statePaths.find((path) => isWithin(path, root) || isWithin(root, path));
  if (state) return `${root} would expose Leash’s own data (${state}) to the command`;
  const credential = rules.credentialPaths.find((path) => isWithin(path, root) || isWithin(root, path));
  if (credential) return `${root} ${isWithin(root, credential) ? 'is inside' : 'contains'} a credential location (${credential})`;
  return null;
}

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file in a linked work tree). */
function enclosingWorkTree(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    try {
      statSync(join(current, '.git'));
      return current;
    } catch {
      // not here
    }
    if (dirname(current) === current) return undefined;
  }
}
