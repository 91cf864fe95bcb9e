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
    if (kind === 'directory') args.push('--tmpfs', target, '--remount-ro', target);
    else args.push('--ro-bind', '/dev/null', target);
  }
  args.push('--unshare-all', '--unshare-user', '--disable-userns');
  if (plan.network) args.push('--share-net');
  args.push('--cap-drop', 'ALL', '--die-with-parent', '--new-session', '--chdir', plan.cwd, '--');
  return args;
}

function inspectPath(path: string): { kind: PathKind; path: string } {
  try {
    const real = realpathSync.native(path);
    return { kind: statSync(real).isDirectory() ? 'directory' : 'other', path: real };
  } catch {
    return { kind: 'missing', path };
  }
}
