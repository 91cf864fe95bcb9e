import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { JudgedCommand } from '../policy/types.js';
import { withGitSafety } from './gitSafety.js';

/**
 * The programs a repository's own configuration names for git to run on diffs, and the values
 * that switch them off for an allowed git entry. Attributes (which the repository controls)
 * choose a driver by name (`*.txt diff=x filter=x`); the program lives in the configuration as
 * `diff.x.textconv`, `diff.x.command` or `filter.x.clean|smudge|process`, plus `diff.external`.
 * No environment setting switches these off for every name, so Leash reads the repository's
 * configuration before the entry starts and forces each name it finds:
 * - `textconv` → `cat`: the diff shows the file's real content, as with no driver;
 * - `command`, `diff.external`, filters → empty: git runs nothing (`git diff` with an external
 *   driver then fails with "cannot run", which the entry's note explains).
 * Only the repository's own scopes count (`local`, `worktree`): the person's global and
 * system configuration are theirs and stay as they are.
 */
export type GitOverride = readonly [key: string, value: string];

const DRIVER_KEY = /^(diff|filter)\.(.+)\.(textconv|command|clean|smudge|process)$/;
const REPOSITORY_SCOPES = new Set(['local', 'worktree']);

/** The overrides for configuration listed by `git config --list --show-scope -z` (scope\0key\nvalue\0…). */
export function overridesFromConfigList(listing: string): GitOverride[] {
  const overrides = new Map<string, string>();
  const fields = listing.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const scope = fields[i] ?? '';
    const record = fields[i + 1] ?? '';
    if (!REPOSITORY_SCOPES.has(scope)) continue;
    const newline = record.indexOf('\n');
    // Git lowercases section and variable names (never the subsection, the driver's name).
    const key = newline < 0 ? record : record.slice(0, newline);
    if (key === 'diff.external') {
      overrides.set(key, '');
      continue;
    }
    const driver = DRIVER_KEY.exec(key);
    if (!driver) continue;
    const section = driver[1] ?? '';
    const variable = driver[3] ?? '';
    if (section === 'diff' && variable === 'textconv') overrides.set(key, 'cat');
    else if ((section === 'diff' && variable === 'command') || (section === 'filter' && variable !== 'textconv' && variable !== 'command')) overrides.set(key, '');
  }
  return [...overrides];
}

/**
 * The directories an entry's git may run in: its working directory and every literal `cd` or
 * `pushd` target the engine judged (relative ones resolved against the working directory).
 */
export function gitDirectories(cwd: string, judged: readonly JudgedCommand[]): string[] {
  const directories = new Set([cwd]);
  for (const command of judged) {
    const [program, target] = command.argv;
    if ((program !== 'cd' && program !== 'pushd') || target === undefined || target.startsWith('-')) continue;
    if (command.unknown?.includes(1)) continue;
    directories.add(isAbsolute(target) ? target : resolve(cwd, target));
  }
  return [...directories];
}

export type GitOverridesResult = { ok: true; overrides: GitOverride[] } | { ok: false; message: string };

/**
 * Reads each directory's repository configuration with git itself (with the safe configuration,
 * so reading runs nothing) and returns the overrides for the programs it names. A directory
 * that does not exist or is not in a repository adds nothing (git lists the person's own
 * configuration there). Fails closed: when git cannot list a configuration (a broken config
 * file, a timeout), the result says so and the entry does not run.
 */
export async function repositoryGitOverrides(directories: readonly string[], env: Record<string, string | undefined>): Promise<GitOverridesResult> {
  const safe = withGitSafety(env);
  const listings = await Promise.all(directories.filter((cwd) => existsSync(cwd)).map((cwd) => configList(cwd, safe)));
  const merged = new Map<string, string>();
  for (const listing of listings) {
    if (!listing.ok) return listing;
    for (const [key, value] of overridesFromConfigList(listing.text)) merged.set(key, value);
  }
  return { ok: true, overrides: [...merged] };
}

function configList(cwd: string, env: Record<string, string | undefined>): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  return new Promise((resolvePromise) => {
    execFile('git', ['--no-pager', 'config', '--list', '--show-scope', '-z'], { cwd, env: env as NodeJS.ProcessEnv, timeout: 5_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolvePromise({ ok: true, text: stdout });
      // No git at all: the entry's own git cannot run either, so there is nothing to switch off.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolvePromise({ ok: true, text: '' });
      const why = String(stderr).trim().split('\n')[0] || error.message;
      resolvePromise({ ok: false, message: `Leash could not read the git configuration in ${cwd} (${why}), so it cannot switch off the programs a repository may name there` });
    });
  });
}

/**
 * A sentence for a failed allowed git entry whose repository names a program Leash switched
 * off (git then says "cannot run" or "external diff died"), or null.
 */
export function explainGitOverride(overrides: readonly GitOverride[], stderr: string): string | null {
  const off = overrides.filter(([, value]) => value === '').map(([key]) => key);
  if (off.length === 0 || !/cannot run|external diff died|external filter/i.test(stderr)) return null;
  return `this repository’s git configuration names a program (${off.join(', ')}); Leash does not let git run it for a command the policy allowed, so git stopped`;
}
