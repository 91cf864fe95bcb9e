import { realpathSync } from 'node:fs';
import { pinnedDirectories } from './mountPlan.js';
import type { EntrySandbox } from './profiles.js';

/**
 * macOS: the entry's profile as a Seatbelt policy for `sandbox-exec -p POLICY -D NAME=VALUE …`
 * (what Codex and Claude Code use). Paths go in as `-D` parameters, never spliced into the
 * policy text, so no path can change the policy's meaning. Untested on a real Mac (see README):
 * the tests check the generated text only.
 *
 * Differences from Linux, where bubblewrap is used: there is no private `/tmp` (read-only
 * entries cannot write anywhere), no PID namespace (a process that leaves the process group
 * with `setsid` can outlive a stop), and the policy is evaluated by the kernel per operation.
 */
export interface SeatbeltPolicy {
  policy: string;
  /** `-D` parameters the policy refers to with `(param "NAME")`. */
  params: Record<string, string>;
}

export interface SeatbeltContext {
  statePaths: readonly string[];
  credentialPaths: readonly string[];
  /** Directories to keep from being renamed (see `pinnedDirectories`); injectable for tests. */
  pinned?: (statePaths: readonly string[], writable: readonly string[]) => string[];
  /** Resolves symbolic links (`/tmp` is `/private/tmp` on macOS); injectable for tests. */
  canonical?: (path: string) => string;
}

/** The fixed part of every policy: run programs, read what is not hidden, no writes, no network. */
const BASE = `(version 1)
(deny default)
(allow process-exec)
(allow process-fork)
(allow process-info* (target same-sandbox))
(allow signal (target same-sandbox))
(allow sysctl-read)
(allow user-preference-read)
(allow file-read*)
(allow file-read-metadata)
(allow file-ioctl (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper"))
(allow file-write-data (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper") (regex #"^/dev/tty") (regex #"^/dev/fd/"))
(allow pseudo-tty)
(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo") (global-name "com.apple.system.notification_center") (global-name "com.apple.logd"))
(allow ipc-posix-sem)
(allow ipc-posix-shm-read-data)`;

/** Mach services a networked command needs (name resolution, TLS trust). */
const NETWORK = `(allow network-outbound)
(allow network-inbound)
(allow network-bind)
(allow system-socket)
(allow mach-lookup (global-name "com.apple.mDNSResponder") (global-name "com.apple.trustd") (global-name "com.apple.trustd.agent") (global-name "com.apple.SecurityServer") (global-name "com.apple.networkd"))`;

/**
 * Builds the policy of one entry. Read-only: no write anywhere. Workspace and package installs:
 * writes inside their writable directories only. Full access: everything. In every profile the
 * last rules deny reading and writing Leash's state (and, but for full access, the credential
 * locations); Seatbelt lets a later rule override an earlier one, so these win.
 */
export function seatbeltPolicy(sandbox: EntrySandbox, context: SeatbeltContext): SeatbeltPolicy {
  if (sandbox.profile === 'unsandboxed') throw new Error('an unsandboxed entry has no Seatbelt policy');
  const canonical = context.canonical ?? canonicalPath;
  const params: Record<string, string> = {};
  const refer = (prefix: string, paths: readonly string[]): string =>
    paths
      .map((path, index) => {
        const name = `${prefix}_${index}`;
        params[name] = canonical(path);
        return `(subpath (param "${name}"))`;
      })
      .join(' ');
  const lines = sandbox.profile === 'full' ? ['(version 1)', '(allow default)'] : [BASE];
  if (sandbox.profile !== 'full') {
    if (sandbox.writable.length > 0) lines.push(`(allow file-write* ${refer('WRITABLE', sandbox.writable)})`);
    if (sandbox.network) lines.push(NETWORK);
  }
  const hidden = sandbox.profile === 'full' ? context.statePaths : [...context.statePaths, ...context.credentialPaths];
  if (hidden.length > 0) {
    const list = refer('HIDDEN', hidden);
    lines.push(`(deny file-read* ${list})`, `(deny file-write* ${list})`);
  }
  // The directories on the way to Leash's state inside a writable one may not be renamed or
  // removed: moved aside, the state would leave the denied paths and become writable.
  const pinned = (context.pinned ?? pinnedDirectories)(context.statePaths, sandbox.profile === 'full' ? ['/'] : sandbox.writable);
  if (pinned.length > 0) {
    const literals = pinned.map((path, index) => {
      params[`PINNED_${index}`] = canonical(path);
      return `(literal (param "PINNED_${index}"))`;
    });
    lines.push(`(deny file-write* ${literals.join(' ')})`);
  }
  return { policy: `${lines.join('\n')}\n`, params };
}

/** `sandbox-exec`'s arguments before the program: the policy and its parameters. */
export function seatbeltArgs(policy: SeatbeltPolicy): string[] {
  return ['-p', policy.policy, ...Object.entries(policy.params).map(([name, value]) => `-D${name}=${value}`)];
}

function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
