import { spawn } from 'node:child_process';
import { basename, isAbsolute } from 'node:path';

/**
 * An app started from a launcher (Dock, Finder, a .desktop entry) inherits the session's bare
 * PATH, without what the person's shell profile adds (nvm's node, Homebrew, ~/.cargo/bin). Commands
 * Leash runs should find the same programs as in their terminal, so a packaged app asks the login
 * shell once for its PATH.
 */
export type LoginShellPath = { ok: true; path: string } | { ok: false; reason: string };

const BEGIN = '__LEASH_PATH_BEGIN__';
const END = '__LEASH_PATH_END__';

/** The command that prints PATH between the markers, for the shells whose syntax we know. */
function printPathCommand(shell: string): string | undefined {
  const name = basename(shell);
  if (name === 'fish') return `printf '%s' ${BEGIN} (string join : $PATH) ${END}`;
  if (['bash', 'zsh', 'sh', 'dash', 'ksh', 'mksh'].includes(name)) return `printf '%s%s%s' '${BEGIN}' "$PATH" '${END}'`;
  return undefined;
}

/**
 * The PATH between the last pair of markers in `output`, with only absolute entries kept (a
 * relative entry such as `.` would resolve against whatever directory a command runs in).
 */
export function parseLoginShellPath(output: string): LoginShellPath {
  const end = output.lastIndexOf(END);
  const begin = end < 0 ? -1 : output.lastIndexOf(BEGIN, end);
  if (begin < 0) return { ok: false, reason: 'the shell printed no PATH' };
  const raw = output.slice(begin + BEGIN.length, end);
  if (/[\0\n\r]/.test(raw)) return { ok: false, reason: 'the PATH it printed holds control characters' };
  const entries = raw.split(':').filter((entry) => isAbsolute(entry));
  if (entries.length === 0) return { ok: false, reason: 'the PATH it printed has no absolute directory' };
  return { ok: true, path: entries.join(':') };
}

/** The login shell's entries first (the terminal's order), then the current ones it lacks. */
export function mergePaths(login: string, current: string | undefined): string {
  const merged = login.split(':');
  for (const entry of (current ?? '').split(':')) if (entry && !merged.includes(entry)) merged.push(entry);
  return merged.join(':');
}

export interface LoginShellOptions {
  shell?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Runs the login shell (`$SHELL -l -i -c …`, interactive because nvm and many PATH edits live in
 * .bashrc/.zshrc) once, without a terminal (its own session, stdin closed), and kills its whole
 * process group after `timeoutMs`. Never throws: a missing, unknown, slow or failing shell comes
 * back as `{ok:false, reason}` and the caller keeps the PATH it has.
 */
export function readLoginShellPath(options: LoginShellOptions = {}): Promise<LoginShellPath> {
  const env = options.env ?? process.env;
  const shell = options.shell ?? env.SHELL;
  const timeoutMs = options.timeoutMs ?? 5_000;
  if (!shell || !isAbsolute(shell)) return Promise.resolve({ ok: false, reason: 'SHELL is not set to an absolute path' });
  const command = printPathCommand(shell);
  if (!command) return Promise.resolve({ ok: false, reason: `${basename(shell)} is not a shell whose PATH Leash knows how to read` });
  return new Promise((resolve) => {
    let output = '';
    let settled = false;
    const finish = (result: LoginShellPath): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const child = spawn(shell, ['-l', '-i', '-c', command], {
      env: { ...env, DISABLE_AUTO_UPDATE: 'true', ZSH_TMUX_AUTOSTART: 'false' },
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const timer = setTimeout(() => {
      killGroup(child.pid);
      finish({ ok: false, reason: `${shell} did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      // A profile that prints without end must not fill memory.
      if (output.length < 1_000_000) output += chunk.toString();
    });
    child.on('error', (error) => finish({ ok: false, reason: `${shell} could not be started: ${error.message}` }));
    child.on('close', (code) => {
      killGroup(child.pid);
      const parsed = parseLoginShellPath(output);
      finish(parsed.ok || code === 0 ? parsed : { ok: false, reason: `${shell} exited with ${code}: ${parsed.reason}` });
    });
  });
}

/** Whatever the profile left behind in the shell's session ends with it. */
function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
