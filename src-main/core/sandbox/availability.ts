import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { bubblewrapArgs } from './bubblewrap.js';
import { probeKey, recalledProbe, rememberProbe, USERNS_SWITCHES } from './probeCache.js';

export type SandboxAvailability =
  | { ok: true; executable: string; version: string }
  | { ok: false; code: 'BWRAP_NOT_FOUND' | 'USERNS_DENIED' | 'BWRAP_FAILED'; message: string; fix: string };

export interface DetectOptions {
  /** The bwrap to use; by default the first `bwrap` on `PATH`, then `/usr/bin/bwrap`. */
  executable?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the kernel's namespace switches are read (tests point it elsewhere). */
  procSys?: string;
  /**
   * Where a passed probe is remembered for later processes (probeCache.ts says when it counts);
   * without it every process probes.
   */
  cacheFile?: string;
}

const PROBE_TIMEOUT_MS = 5_000;
const probes = new Map<string, Promise<SandboxAvailability>>();

/**
 * Whether bubblewrap really works here: finds it, then runs `true` inside a sandbox made by
 * {@link bubblewrapArgs} with the same namespaces and mounts an entry gets. Finding `bwrap` is
 * not enough: Ubuntu 23.10+ ships it with unprivileged user namespaces restricted by AppArmor,
 * and some kernels turn them off. A failure says why in words and what to change. The answer is
 * cached per executable (a probe costs a few milliseconds, a sandbox per entry would repeat it).
 */
export function detectBubblewrap(options: DetectOptions = {}): Promise<SandboxAvailability> {
  const env = options.env ?? process.env;
  const executable = options.executable ?? findOnPath('bwrap', env.PATH) ?? findOnPath('bwrap', '/usr/bin');
  if (!executable) {
    return Promise.resolve({
      ok: false,
      code: 'BWRAP_NOT_FOUND',
      message: 'bubblewrap (bwrap) is not installed, so commands cannot be sandboxed.',
      fix: 'Install it: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch).',
    });
  }
  const key = `${executable}\0${options.procSys ?? ''}`;
  let probe = probes.get(key);
  if (!probe) {
    probe = probeBubblewrap(executable, options.procSys ?? '/proc/sys', options.cacheFile);
    probes.set(key, probe);
  }
  return probe;
}

/** Forgets cached probes (after the user installed or fixed bubblewrap, and in tests). */
export function forgetSandboxProbes(): void {
  probes.clear();
}

async function probeBubblewrap(executable: string, procSys: string, cacheFile: string | undefined): Promise<SandboxAvailability> {
  const probeArgs = [...bubblewrapArgs({ writable: [], hidden: [], network: false, cwd: '/' }), 'true'];
  const key = cacheFile === undefined ? undefined : probeKey({ executable, probeArgs, procSys });
  const cache = cacheFile !== undefined && key !== undefined ? { file: cacheFile, key } : undefined;
  const recalled = cache && recalledProbe(cache.file, cache.key, executable);
  if (recalled) return { ok: true, executable, version: recalled.version };
  // Both at once: the answer needs both, and neither depends on the other.
  const [version, probe] = await Promise.all([run(executable, ['--version']), run(executable, probeArgs)]);
  if (version.error) {
    return { ok: false, code: 'BWRAP_FAILED', message: `${executable} could not be run: ${version.error}`, fix: 'Reinstall bubblewrap.' };
  }
  if (!probe.error) {
    const found = version.stdout.trim().replace(/^bubblewrap\s*/, '');
    if (cache) rememberProbe(cache.file, cache.key, executable, found);
    return { ok: true, executable, version: found };
  }
  const restriction = userNamespaceRestriction(procSys);
  if (restriction || /namespace|uid map|uid_map|Operation not permitted|Permission denied/i.test(probe.stderr)) {
    return {
      ok: false,
      code: 'USERNS_DENIED',
      message: `bubblewrap cannot create the namespaces a sandbox needs: ${probe.stderr.trim() || probe.error}`,
      fix: restriction ?? 'Unprivileged user namespaces are disabled on this machine; enable them (see your distribution’s documentation for bubblewrap).',
    };
  }
  return { ok: false, code: 'BWRAP_FAILED', message: `bubblewrap failed its test run: ${probe.stderr.trim() || probe.error}`, fix: 'Run the command above by hand to see why, or reinstall bubblewrap.' };
}

/** The kernel switch that forbids unprivileged user namespaces here, with the change that allows them. */
function userNamespaceRestriction(procSys: string): string | undefined {
  const read = (name: string): string | undefined => {
    try {
      return readFileSync(join(procSys, name), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  if (read(USERNS_SWITCHES.apparmor) === '1') {
    return (
      'AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later). Allow them for bubblewrap only, with a profile: ' +
      "write `abi <abi/4.0>, include <tunables/global> profile bwrap /usr/bin/bwrap flags=(unconfined) { userns, }` to " +
      '/etc/apparmor.d/bwrap and run `sudo systemctl reload apparmor`; or, for every program, ' +
      '`sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`.'
    );
  }
  if (read(USERNS_SWITCHES.clone) === '0') return 'Run `sudo sysctl kernel.unprivileged_userns_clone=1` (and add it to /etc/sysctl.d/ to keep it).';
  if (read(USERNS_SWITCHES.maxNamespaces) === '0') return 'Run `sudo sysctl user.max_user_namespaces=15000` (and add it to /etc/sysctl.d/ to keep it).';
  return undefined;
}

function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const directory of (path ?? '').split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: PROBE_TIMEOUT_MS, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, error: error ? error.message : undefined });
    });
  });
}
