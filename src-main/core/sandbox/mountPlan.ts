import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { MountPlan } from './bubblewrap.js';
import type { EntrySandbox } from './profiles.js';
import { isWithin } from './protectedPaths.js';

/** Top-level directories a full-access sandbox leaves as the kernel made them (its own /dev, /proc; no /sys writes). */
const FULL_ACCESS_SKIPPED = new Set(['proc', 'dev', 'sys']);

export interface MountPlanContext {
  statePaths: readonly string[];
  credentialPaths: readonly string[];
  /** Lists `/` for full access (injectable for tests). */
  listRoot?: () => string[];
}

/**
 * The bubblewrap mount plan of a sandboxed entry. Leash's state is hidden under every profile;
 * credentials under every profile but full access (a person who chose it may mean `git push`
 * with their ssh key). Full access binds each real top-level directory read-write instead of
 * `/` itself, so the sandbox keeps its own `/dev` and `/proc` (a PID namespace needs its own
 * `/proc`) and the entry still dies with its namespace.
 */
export function entryMountPlan(sandbox: EntrySandbox, cwd: string, context: MountPlanContext): MountPlan {
  if (sandbox.profile === 'unsandboxed') throw new Error('an unsandboxed entry has no mount plan');
  const hidden = outermost(sandbox.profile === 'full' ? context.statePaths : [...context.statePaths, ...context.credentialPaths]);
  if (sandbox.profile === 'full') {
    const directories = (context.listRoot ?? realTopLevelDirectories)().filter((name) => !FULL_ACCESS_SKIPPED.has(name));
    const writable = directories.map((name) => join('/', name));
    return { writable, pinned: pinnedDirectories(context.statePaths, writable), hidden, tmpfs: [], network: true, cwd };
  }
  const tmpfs = PRIVATE_TMPFS.filter((path) => !sandbox.writable.includes(path));
  // A working directory under a private tmpfs (a project in /tmp) would vanish behind it: it
  // comes back read-only, as the rest of the host is.
  const under = tmpfs.filter((path) => isWithin(cwd, path) && cwd !== path);
  const binds = under.length > 0 && !sandbox.writable.some((directory) => isWithin(cwd, directory)) ? [{ source: cwd, target: cwd }] : [];
  return { writable: [...sandbox.writable], pinned: pinnedDirectories(context.statePaths, sandbox.writable), hidden, tmpfs, binds, network: sandbox.network, cwd };
}

/**
 * Every directory strictly between a writable directory and an existing state path inside it
 * (real paths, outermost first). Pinned as mount points, none of them can be renamed, so the
 * hidden state cannot be moved aside and replaced by a forged copy at the path Leash reads.
 * The state path itself is a mount point already (it is hidden).
 */
export function pinnedDirectories(statePaths: readonly string[], writable: readonly string[]): string[] {
  const pinned = new Set<string>();
  const real = (path: string): string | null => {
    try {
      // Most state paths are files that may not exist yet: no exception for those.
      return existsSync(path) ? realpathSync.native(path) : null;
    } catch {
      return null;
    }
  };
  const roots = writable.map(real).filter((path): path is string => path !== null);
  for (const state of statePaths) {
    const target = real(state);
    if (target === null) continue;
    for (const root of roots) {
      if (target === root || !isWithin(target, root)) continue;
      for (let directory = dirname(target); directory !== root && isWithin(directory, root); directory = dirname(directory)) pinned.add(directory);
    }
  }
  return [...pinned].sort((a, b) => a.length - b.length);
}

/** Private, empty, writable directories of every sandbox but full access. */
const PRIVATE_TMPFS = ['/tmp', '/var/tmp', '/dev/shm'];

/**
 * Drops paths inside another one of the list: once a directory is covered by a read-only
 * tmpfs, nothing can be mounted inside it (and nothing needs to be).
 */
export function outermost(paths: readonly string[]): string[] {
  // A pure function of its list, which is the same for entry after entry: the last answer is kept.
  const key = paths.join('\0');
  if (lastOutermost?.key !== key) lastOutermost = { key, kept: computeOutermost(paths) };
  return [...lastOutermost.kept];
}

let lastOutermost: { key: string; kept: string[] } | undefined;

function computeOutermost(paths: readonly string[]): string[] {
  // Resolved once here: this runs before every entry, over some fifty paths.
  const kept: string[] = [];
  for (const path of [...new Set(paths.map((p) => resolve(p)))].sort((a, b) => a.length - b.length)) {
    if (!kept.some((outer) => path === outer || path.startsWith(outer.endsWith('/') ? outer : `${outer}/`))) kept.push(path);
  }
  return kept;
}

/** Directories directly under `/` that are not symbolic links (`/bin` → `usr/bin` is covered by `/usr`). */
function realTopLevelDirectories(): string[] {
  return readdirSync('/').filter((name) => {
    try {
      return lstatSync(join('/', name)).isDirectory();
    } catch {
      return false;
    }
  });
}
