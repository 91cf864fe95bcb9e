import { realpathSync, statSync } from 'node:fs';
import { hostControlSockets } from './hostSockets.js';

/**
 * What a sandboxed process may see and touch. The whole host filesystem is visible read-only;
 * only `writable` (and the private tmpfs mounts) can be written; `hidden` paths are covered.
 * Used for entries that run (profiles) and for the policy's bash oracle in the tests.
 */
export interface MountPlan {
  /** Directories bound read-write at the same path; everything else is read-only. */
  writable: string[];
  /**
   * Existing paths made unreadable: a directory becomes an empty read-only tmpfs, anything else
   * is covered by `/dev/null`. Applied after every other mount, so a hidden path inside a
   * writable directory stays hidden. Paths that do not exist are skipped (nothing to cover).
   */
  hidden: string[];
  /**
   * Directories inside a writable one that lead to a hidden path, bound onto themselves after
   * the writable binds: a mount point cannot be renamed or removed, so a command cannot move
   * a hidden directory away (the mount would follow it) and put a forged one at its path.
   */
  pinned?: string[];
  /** Extra binds, applied after the tmpfs mounts (e.g. a directory of stub programs). */
  binds?: Array<{ source: string; target: string; writable?: boolean }>;
  /** Fresh private, writable tmpfs mounts; default `['/tmp']`. */
  tmpfs?: string[];
  /** `false`: its own network namespace (loopback only; nothing reaches the host or beyond). */
  network: boolean;
  /** Working directory inside the sandbox. */
  cwd: string;
}

/** How a path looks on the host, for deciding how to cover it. */
export type PathKind = 'directory' | 'other' | 'missing';

export interface BubblewrapArgsOptions {
  /**
   * Where a hidden path really is and what it is. Defaults to the host's view: links are
   * followed, so what a link points to is covered (bwrap cannot mount onto a path through a link).
   */
  inspect?: (path: string) => { kind: PathKind; path: string };
  /** Host control sockets to cover as well; defaults to {@link hostControlSockets} of this process. */
  controlSockets?: string[];
  /** Receives each host path a mount covers (real paths), in order: what {@link mountFence} checks. */
  covered?: (path: string) => void;
}

/**
 * Builds bubblewrap's options for `plan`, ending in `--`: append the program and its argv.
 *
 * Beyond the plan, every sandbox gets: new user, PID, IPC, UTS and cgroup namespaces (and a new
 * network namespace unless `plan.network`), no capabilities (as root too: without
 * `--cap-drop ALL` root inside could remount `/` read-write), no further user namespaces, a new
 * session (no TIOCSTI into the terminal), death with its parent (a crashed Leash leaves nothing
 * running: the PID namespace's init dies and the kernel kills every process in it), and the
 * host's control sockets covered (a session bus, systemd, docker: talking to one would run a
 * program outside the sandbox, and `connect()` works on a read-only filesystem).
 */
export function bubblewrapArgs(plan: MountPlan, options: BubblewrapArgsOptions = {}): string[] {
  const inspect = options.inspect ?? inspectPath;
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  for (const target of plan.tmpfs ?? ['/tmp']) args.push('--tmpfs', target);
  for (const bind of plan.binds ?? []) args.push(bind.writable ? '--bind' : '--ro-bind', bind.source, bind.target);
  for (const directory of plan.writable) args.push('--bind', directory, directory);
  for (const directory of plan.pinned ?? []) args.push('--bind', directory, directory);
  const covered = new Set<string>();
  for (const path of [...plan.hidden, ...(options.controlSockets ?? hostControlSockets())]) {
    const { kind, path: target } = inspect(path);
    if (kind === 'missing' || covered.has(target)) continue;
    covered.add(target);
    options.covered?.(target);
    if (kind === 'directory') args.push('--tmpfs', target, '--remount-ro', target);
    else args.push('--ro-bind', '/dev/null', target);
  }
  args.push('--unshare-all', '--unshare-user', '--disable-userns');
  if (plan.network) args.push('--share-net');
  args.push('--cap-drop', 'ALL', '--die-with-parent', '--new-session', '--chdir', plan.cwd, '--');
  return args;
}

/**
 * What the mounts of `plan` refer to on the host, one line per path: device and inode of the
 * working directory, each writable and pinned directory and each bind's source, plus the change
 * time of each covered path (`covered`, from {@link BubblewrapArgsOptions.covered}). Two fences
 * taken at different times are equal only if every mount would land on the same file: a hidden
 * file renamed or replaced has a new inode or change time (a rename changes the change time
 * too), and on Linux renaming or removing a path that is a mount point elsewhere detaches that
 * mount there, so a sandbox set up ahead of its turn is used only if its fence still holds.
 */
export function mountFence(plan: MountPlan, covered: readonly string[]): string[] {
  const identity = (path: string, withChange: boolean): string => {
    try {
      const info = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (info === undefined) return `${path} missing`;
      // A directory's change time moves with every file made in it (Leash's own data directory
      // at each write): directories are known by device and inode only.
      return `${path} ${info.dev}:${info.ino}${withChange && !info.isDirectory() ? `:${info.ctimeNs}` : ''}`;
    } catch {
      return `${path} unreadable`;
    }
  };
  const directories = [plan.cwd, ...plan.writable, ...(plan.pinned ?? []), ...(plan.binds ?? []).map((bind) => bind.source)];
  return [...directories.map((path) => identity(path, false)), ...covered.map((path) => identity(path, true))];
}

/**
 * The host's view of one path. Most hidden paths do not exist (a machine has a few of the
 * fifty credential locations), so the common case is one `stat` that returns nothing: no
 * exception is made for a missing path (building fifty of them per entry cost more than the
 * rest of the plan), and `realpath` runs only for paths that exist.
 */
export function inspectPath(path: string): { kind: PathKind; path: string } {
  try {
    if (statSync(path, { throwIfNoEntry: false }) === undefined) return { kind: 'missing', path };
    const real = realpathSync.native(path);
    const info = statSync(real, { throwIfNoEntry: false });
    if (info === undefined) return { kind: 'missing', path };
    return { kind: info.isDirectory() ? 'directory' : 'other', path: real };
  } catch {
    // ENOTDIR (a file on the way), ELOOP, EACCES: nothing there that bwrap could mount onto.
    return { kind: 'missing', path };
  }
}
