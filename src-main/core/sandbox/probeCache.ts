import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { release, version } from 'node:os';
import { join } from 'node:path';

/**
 * Remembers, across processes, that bubblewrap passed its probe run, so a short-lived `leash run`
 * does not start two bwrap processes before its first entry. Only a success is remembered, and
 * only for exactly what it depended on: the bwrap binary (path, inode, size, times, mode, owner),
 * the running kernel (release, build, boot id), the kernel's user-namespace switches, the user
 * and the probe's own arguments. Anything else changed, or a file that does not read back
 * exactly, and the probe runs again.
 *
 * Why a stale entry stays safe: it can only claim that a sandbox works. Entries then run inside
 * bwrap, and a bwrap that no longer works fails them without running the command; nothing runs
 * unsandboxed because of this file. A failure is never remembered, because "no sandbox here"
 * is what lets a person approve running without one.
 */

const FORMAT = 1;

/** The kernel switches (under /proc/sys) that decide whether unprivileged user namespaces work. */
export const USERNS_SWITCHES = {
  apparmor: 'kernel/apparmor_restrict_unprivileged_userns',
  clone: 'kernel/unprivileged_userns_clone',
  maxNamespaces: 'user/max_user_namespaces',
} as const;

export interface ProbeIdentity {
  executable: string;
  /** The arguments of the probe run (a new Leash probing differently probes again). */
  probeArgs: string[];
  /** /proc/sys, or a test's stand-in. */
  procSys: string;
}

/** What the probe's answer depends on, hashed; undefined when bwrap cannot even be stat'ed. */
export function probeKey(identity: ProbeIdentity): string | undefined {
  let stat;
  try {
    stat = statSync(identity.executable, { bigint: true });
  } catch {
    return undefined;
  }
  const read = (name: string): string => {
    try {
      return readFileSync(join(identity.procSys, name), 'utf8').trim();
    } catch {
      return '(unreadable)';
    }
  };
  const material = [
    FORMAT,
    identity.executable,
    ...[stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs, stat.mode, stat.uid].map(String),
    release(),
    version(),
    read('kernel/random/boot_id'),
    ...Object.values(USERNS_SWITCHES).map(read),
    String(process.getuid?.() ?? ''),
    identity.probeArgs,
  ];
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** The remembered version of a bwrap that passed its probe under `key`, if the file says exactly that. */
export function recalledProbe(file: string, key: string, executable: string): { version: string } | undefined {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!saved || typeof saved !== 'object') return undefined;
  const entry = saved as Record<string, unknown>;
  if (entry.format !== FORMAT || entry.key !== key || entry.executable !== executable) return undefined;
  if (typeof entry.version !== 'string' || entry.version.length > 200) return undefined;
  return { version: entry.version };
}

/** Best effort: a data directory that cannot be written only means probing next time too. */
export function rememberProbe(file: string, key: string, executable: string, bwrapVersion: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify({ format: FORMAT, key, executable, version: bwrapVersion })}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // Not remembered; nothing else depends on it.
    rmSync(temporary, { force: true });
  }
}
