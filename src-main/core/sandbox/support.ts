import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { detectBubblewrap, type DetectOptions } from './availability.js';

export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

/** Which sandbox this machine can run entries in, or why none. */
export type SandboxSupport =
  | { ok: true; kind: 'bubblewrap'; executable: string; version: string }
  | { ok: true; kind: 'seatbelt'; executable: string }
  | {
      ok: false;
      code: 'BWRAP_NOT_FOUND' | 'USERNS_DENIED' | 'BWRAP_FAILED' | 'SEATBELT_NOT_FOUND' | 'SEATBELT_FAILED' | 'UNSUPPORTED_PLATFORM';
      message: string;
      fix: string;
    };

export interface SupportOptions extends DetectOptions {
  platform?: NodeJS.Platform;
}

/**
 * Finds the sandbox of this platform and checks that it really works: bubblewrap on Linux
 * (with a probe run, since user namespaces may be restricted), Seatbelt's `sandbox-exec` on
 * macOS (a probe run of a trivial policy), nothing on Windows or elsewhere. Never rejects.
 */
export async function detectSandbox(options: SupportOptions = {}): Promise<SandboxSupport> {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux') {
    const found = await detectBubblewrap(options);
    return found.ok ? { ok: true, kind: 'bubblewrap', executable: found.executable, version: found.version } : found;
  }
  if (platform === 'darwin') {
    const executable = options.executable ?? SANDBOX_EXEC;
    try {
      accessSync(executable, constants.X_OK);
    } catch {
      return { ok: false, code: 'SEATBELT_NOT_FOUND', message: `${executable} is missing, so commands cannot be sandboxed.`, fix: 'sandbox-exec ships with macOS; check that /usr/bin is intact.' };
    }
    const probe = await new Promise<string | null>((resolve) =>
      execFile(executable, ['-p', '(version 1)(allow default)', '/usr/bin/true'], { timeout: 5000 }, (error, _out, stderr) => resolve(error ? stderr || error.message : null)),
    );
    if (probe !== null) return { ok: false, code: 'SEATBELT_FAILED', message: `sandbox-exec failed its test run: ${probe.trim()}`, fix: 'Run `sandbox-exec -p "(version 1)(allow default)" /usr/bin/true` to see why.' };
    return { ok: true, kind: 'seatbelt', executable };
  }
  return {
    ok: false,
    code: 'UNSUPPORTED_PLATFORM',
    message: `Leash has no sandbox for ${platform === 'win32' ? 'Windows' : platform}: commands run with all your permissions.`,
    fix: platform === 'win32' ? 'Run Leash inside WSL 2, where bubblewrap works.' : 'Use Linux (bubblewrap) or macOS (Seatbelt) for sandboxed runs.',
  };
}

/** One sentence for settings pages, the CLI and unsandboxed entries. */
export function describeSupport(support: SandboxSupport): string {
  if (support.ok) return support.kind === 'bubblewrap' ? `bubblewrap ${support.version} (${support.executable})` : `Seatbelt (${support.executable})`;
  return `${support.message} ${support.fix}`;
}
