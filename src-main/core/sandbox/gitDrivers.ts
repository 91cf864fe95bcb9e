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
 * configuration there). Submodules count too: `git status` checks each checked-out submodule
 * with the submodule's own configuration and attributes (a racily clean file there goes through
 * its clean filter), and `git diff --submodule=diff` or a repository's `diff.submodule=diff` shows
 * their diffs through their textconv. The forced keys reach those inner gits (git keeps
 * `GIT_CONFIG_COUNT` for submodules), so every submodule's configuration is read as well,
 * recursively. Fails closed: when git cannot list a configuration (a broken config file, a
 * timeout) or the submodules go deeper or wider than Leash reads, the result says so and the
 * entry does not run.
 */
export async function repositoryGitOverrides(directories: readonly string[], env: Record<string, string | undefined>): Promise<GitOverridesResult> {
  const safe = withGitSafety(env);
  const merged = new Map<string, string>();
  const seen = new Set<string>();
  let budget = MAX_REPOSITORIES;
  const visit = async (cwd: string, depth: number): Promise<{ ok: true } | { ok: false; message: string }> => {
    const [listing, submodules] = await Promise.all([configList(cwd, safe), checkedOutSubmodules(cwd, safe)]);
    if (!listing.ok) return listing;
    if (!submodules.ok) return submodules;
    for (const [key, value] of overridesFromConfigList(listing.text)) merged.set(key, value);
    const inner = submodules.paths.filter((path) => !seen.has(path));
    inner.forEach((path) => seen.add(path));
    if (inner.length > 0 && (depth >= MAX_SUBMODULE_DEPTH || (budget -= inner.length) < 0)) {
      return { ok: false, message: `the repository in ${cwd} has more nested submodules than Leash reads (${MAX_REPOSITORIES} in all, ${MAX_SUBMODULE_DEPTH} deep), so it cannot switch off the programs their configurations may name` };
    }
    for (const result of await Promise.all(inner.map((path) => visit(path, depth + 1)))) if (!result.ok) return result;
    return { ok: true };
  };
  for (const cwd of directories.filter((directory) => existsSync(directory))) {
    const result = await visit(cwd, 0);
    if (!result.ok) return result;
  }
  return { ok: true, overrides: [...merged] };
}

/** How many repositories (the entry's and its submodules, nested) and how deep Leash reads. */
const MAX_REPOSITORIES = 64;
const MAX_SUBMODULE_DEPTH = 4;

type GitResult = { ok: true; text: string } | { ok: false; message: string };

function runGit(cwd: string, args: string[], env: Record<string, string | undefined>): Promise<GitResult & { notRepository?: boolean }> {
  return new Promise((resolvePromise) => {
    execFile('git', ['--no-pager', ...args], { cwd, env: env as NodeJS.ProcessEnv, timeout: 5_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolvePromise({ ok: true, text: stdout });
      // No git at all: the entry's own git cannot run either, so there is nothing to switch off.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolvePromise({ ok: true, text: '' });
      const why = String(stderr).trim().split('\n')[0] || error.message;
      resolvePromise({ ok: false, message: why, notRepository: /not a git repository|must be run in a work tree/i.test(why) });
    });
  });
}

async function configList(cwd: string, env: Record<string, string | undefined>): Promise<GitResult> {
  const listed = await runGit(cwd, ['config', '--list', '--show-scope', '-z'], env);
  if (listed.ok) return listed;
  return { ok: false, message: `Leash could not read the git configuration in ${cwd} (${listed.message}), so it cannot switch off the programs a repository may name there` };
}

/**
 * The work trees of the submodules git would look into from `cwd`: every gitlink in the
 * index of the enclosing work tree whose directory has a `.git` (a submodule that is not
 * checked out has no configuration to use). Outside a work tree, none.
 */
async function checkedOutSubmodules(cwd: string, env: Record<string, string | undefined>): Promise<{ ok: true; paths: string[] } | { ok: false; message: string }> {
  const top = await runGit(cwd, ['rev-parse', '--show-toplevel'], env);
  if (!top.ok) return top.notRepository ? { ok: true, paths: [] } : { ok: false, message: `Leash could not find the work tree of ${cwd} (${top.message}), so it cannot read its submodules' git configuration` };
  const root = top.text.trim();
  if (root === '') return { ok: true, paths: [] };
  const staged = await runGit(root, ['ls-files', '--stage', '-z'], env);
  if (!staged.ok) return { ok: false, message: `Leash could not list the submodules of ${root} (${staged.message}), so it cannot read their git configuration` };
  const paths: string[] = [];
  for (const record of staged.text.split('\0')) {
    // `<mode> <object> <stage>\t<path>`; mode 160000 is a gitlink (a submodule).
    if (!record.startsWith('160000 ')) continue;
    const path = resolve(root, record.slice(record.indexOf('\t') + 1));
    if (existsSync(resolve(path, '.git'))) paths.push(path);
  }
  return { ok: true, paths };
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
