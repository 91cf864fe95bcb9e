import { allowRuleFor } from '../policy/allowlist.js';
import { FETCHERS, PRIVILEGE_ESCALATION, REMOTE_ACCESS, SHELLS, isInterpreter, isRawDiskTool } from '../policy/programs.js';
import { WRAPPERS } from '../policy/wrapperSpecs.js';
import { SUSPICIOUS_CHARACTER } from '../../shared/suspiciousCharacters.js';

/**
 * Which words an allow rule may name. An allow rule is approval in advance, so it must name a
 * program whose leading words say what it does (`npm run test`, `cargo check`): never a program
 * that runs whatever it is handed (a shell, an interpreter, a wrapper such as `env`, `xargs`,
 * `sudo`, `timeout`), nor one whose arguments alone decide the harm (`curl URL`, `rm PATH`).
 * The policy's own tables (shells, interpreters, wrappers, privilege escalation) are reused, so
 * a program the engine learns to unwrap is refused here too. Deny and ask rules may name anything.
 */

export const MAX_RULE_WORDS = 16;
export const MAX_RULE_WORD_LENGTH = 200;

/** A program name as a rule holds it: a bare name on PATH (a path is a different program). */
const PROGRAM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

/** Every bash builtin and keyword: the engine judges them itself, a rule never applies to them. */
const SHELL_WORDS = new Set([
  '.', ':', '[', 'alias', 'bg', 'bind', 'break', 'builtin', 'caller', 'cd', 'command', 'compgen', 'complete', 'compopt',
  'continue', 'declare', 'dirs', 'disown', 'echo', 'enable', 'eval', 'exec', 'exit', 'export', 'false', 'fc', 'fg',
  'getopts', 'hash', 'help', 'history', 'jobs', 'kill', 'let', 'local', 'logout', 'mapfile', 'popd', 'printf', 'pushd',
  'pwd', 'read', 'readarray', 'readonly', 'return', 'set', 'shift', 'shopt', 'source', 'suspend', 'test', 'times', 'trap',
  'true', 'type', 'typeset', 'ulimit', 'umask', 'unalias', 'unset', 'wait', 'if', 'then', 'else', 'elif', 'fi', 'case',
  'esac', 'for', 'select', 'while', 'until', 'do', 'done', 'in', 'function', 'time', 'coproc', '[[', ']]', '!', '{', '}',
]);

/** Programs that run what they are given, beyond the policy's shells, interpreters and wrappers. */
const RUNS_ANYTHING = new Set([
  'env', 'xargs', 'watch', 'sg', 'parallel', 'awk', 'gawk', 'mawk', 'nawk', 'busybox', 'toybox', 'sed', 'expect',
  'tmux', 'screen', 'script', 'at', 'batch', 'crontab', 'systemd-run', 'nix-shell', 'docker-exec',
]);

/** Programs whose operands alone decide the harm: a rule for them would allow any use. */
const ARGUMENTS_DECIDE = new Set([
  'rm', 'rmdir', 'mv', 'cp', 'ln', 'chmod', 'chown', 'chgrp', 'chattr', 'shred', 'truncate', 'install', 'rsync', 'tee',
  'kill', 'pkill', 'killall', 'open', 'xdg-open',
]);

/**
 * Programs whose subcommand runs an arbitrary package or program: the rule must name what it
 * runs (`npx tsc`, `npm exec eslint`), never stop at the runner.
 */
const NEEDS_NEXT_WORD: Record<string, number> = {
  git: 2, npx: 2, pnpx: 2, uvx: 2, bunx: 2,
  // Package managers and toolchains whose subcommands include running and publishing anything.
  npm: 2, pnpm: 2, yarn: 2, cargo: 2, go: 2, uv: 2, poetry: 2, pipx: 2, pip: 2, pip3: 2, docker: 2, podman: 2, kubectl: 2, gh: 2,
  gem: 2, bundle: 2, composer: 2, dotnet: 2, mvn: 1, gradle: 1,
};
const RUNNER_SUBCOMMANDS: Record<string, readonly string[]> = {
  npm: ['exec', 'x'],
  pnpm: ['exec', 'dlx'],
  yarn: ['exec', 'dlx'],
  pipx: ['run'],
  uv: ['run', 'tool'],
  poetry: ['run'],
  cargo: ['run'],
  go: ['run'],
  docker: ['run', 'exec'],
  podman: ['run', 'exec'],
  kubectl: ['exec'],
};

/** Subcommands that take one more word saying what they run (`npm run test`, `docker compose up`). */
const NESTED_SUBCOMMANDS: Record<string, readonly string[]> = {
  npm: ['run', 'run-script', 'exec', 'x'],
  pnpm: ['run', 'exec', 'dlx'],
  yarn: ['run', 'workspace', 'exec', 'dlx'],
  docker: ['compose', 'container', 'image', 'network', 'volume', 'buildx'],
  podman: ['compose', 'container', 'image'],
  git: ['stash', 'remote', 'submodule', 'worktree', 'config', 'notes', 'lfs'],
  go: ['mod', 'tool'],
  cargo: ['run'],
  uv: ['run', 'tool', 'pip'],
  poetry: ['run'],
  pipx: ['run'],
  kubectl: ['config', 'rollout'],
  gh: ['pr', 'issue', 'repo', 'run', 'workflow', 'release'],
};

/** A word that reads as a subcommand (`test`, `test:unit`, `lint-fix`), not an option, path or value. */
const SUBCOMMAND = /^[A-Za-z0-9][A-Za-z0-9_:@-]*$/;

/** Why the words cannot be an allow rule, in a sentence; undefined when they can. */
export function allowRefusal(words: readonly string[]): string | undefined {
  const shape = wordsProblem(words);
  if (shape) return shape;
  const program = words[0] as string;
  const lower = program.toLowerCase();
  if (SHELLS.has(lower)) return `\`${program}\` is a shell: it runs whatever script it is given, so no rule for it is safe`;
  if (isInterpreter(lower)) return `\`${program}\` is an interpreter: it runs whatever code it is given, so no rule for it is safe`;
  if (PRIVILEGE_ESCALATION.has(lower)) return `\`${program}\` runs commands with other privileges: Leash never allows it by a rule`;
  if (REMOTE_ACCESS.has(lower)) return `\`${program}\` runs commands on another machine: Leash never allows it by a rule`;
  if (isRawDiskTool(lower)) return `\`${program}\` writes to disks: Leash never allows it by a rule`;
  if (SHELL_WORDS.has(program)) return `\`${program}\` is part of the shell itself; Leash judges it, a rule cannot`;
  if (Object.hasOwn(WRAPPERS, lower) || RUNS_ANYTHING.has(lower)) {
    return `\`${program}\` runs another command (or code) it is given, so a rule for it would allow anything`;
  }
  if (FETCHERS.has(lower)) return `\`${program}\` reaches whatever address it is given: a rule for it would allow any download or upload`;
  if (ARGUMENTS_DECIDE.has(lower)) return `what \`${program}\` does depends only on the files it is given: a rule for it would allow any use`;
  const needed = Math.max(NEEDS_NEXT_WORD[lower] ?? 1, RUNNER_SUBCOMMANDS[lower]?.includes(words[1] ?? '') ? 3 : 1);
  if (words.length < needed) {
    const named = words.join(' ');
    if (lower === 'git') return '`git` alone covers every git command, pushes and hooks included: a rule must name the subcommand (`git commit`)';
    if (words.length === 1) return `\`${program}\` alone covers all its subcommands (publishing and running anything included): a rule must name the subcommand`;
    return `\`${named}\` runs whatever it is told to: a rule must also name what it runs (\`${named} NAME\`)`;
  }
  // A program whose only allow rule is a version probe (`make --version`) is not a read-only tool.
  if (words.length === 1 && allowRuleFor(program) && allowRuleFor(program)?.probeOnly !== true) {
    return `\`${program}\` is on the read-only allowlist; its options that write or run code are judged every time, and a rule for the program alone cannot lift that`;
  }
  return undefined;
}

/** Shape checks every rule passes (allow, ask or deny): a bare program name and plain words. */
export function wordsProblem(words: readonly string[]): string | undefined {
  if (words.length === 0) return 'a rule names at least the program';
  if (words.length > MAX_RULE_WORDS) return `a rule names at most ${MAX_RULE_WORDS} words`;
  const program = words[0] as string;
  if (program.includes('/')) return `\`${program}\` is a path: a rule names a program by its bare name (as found on PATH)`;
  if (!PROGRAM_NAME.test(program)) return `\`${program}\` is not a program name a rule can hold`;
  for (const word of words) {
    if (word.length === 0) return 'a rule word cannot be empty';
    if (word.length > MAX_RULE_WORD_LENGTH) return `a rule word is at most ${MAX_RULE_WORD_LENGTH} characters`;
    // SUSPICIOUS_CHARACTER covers control characters too (all but tab and newline, refused here as well).
    if (/[\t\n]/.test(word) || new RegExp(SUSPICIOUS_CHARACTER.source, 'u').test(word)) return 'a rule word cannot hold control or invisible characters';
  }
  return undefined;
}

/**
 * The narrowest useful rule for one simple command: its program and the leading words that
 * read as subcommands (two levels for `npm run NAME`, `docker compose VERB`, …), then the
 * broader prefixes that are still safe, narrowest first. Empty when none is safe; `refusal`
 * then says why (for the narrowest candidate).
 */
export function rulePrefixes(argv: readonly string[]): { prefixes: string[][]; refusal?: string } {
  const program = argv[0] ?? '';
  const lower = program.toLowerCase();
  let length = 1;
  const depth = NESTED_SUBCOMMANDS[lower]?.includes(argv[1] ?? '') ? 3 : 2;
  while (length < depth && length < argv.length && SUBCOMMAND.test(argv[length] as string)) length++;
  const prefixes: string[][] = [];
  for (let n = length; n >= 1; n--) {
    const words = argv.slice(0, n);
    if (allowRefusal(words) === undefined) prefixes.push([...words]);
  }
  if (prefixes.length > 0) return { prefixes };
  return { prefixes, refusal: allowRefusal(argv.slice(0, length)) ?? 'no rule is safe for this command' };
}
