import type { Arg } from './model.js';
import { resolveLongOption, scanOptions } from './options.js';

/**
 * The default allowlist. A rule allows a simple command only when its arguments keep it
 * read-only (or, for package installs, within what the rule documents). Each rule carries
 * example commands that the test suite checks, so a rule and its intent cannot drift apart.
 */
export type AllowCheck = { ok: true } | { ok: false; why: string };

export interface AllowRule {
  name: string;
  programs: readonly string[];
  /** Options can make the program write or execute, so unknown (dynamic) arguments need a person. */
  optionsMatter: boolean;
  summary: string;
  check(args: readonly string[]): AllowCheck;
  examples: { allow: readonly string[]; notAllow: readonly string[] };
}

const OK: AllowCheck = { ok: true };
const no = (why: string): AllowCheck => ({ ok: false, why });

function readOnly(programs: string[], allow: string[], notAllow: string[] = []): AllowRule {
  return {
    name: programs[0] as string,
    programs,
    optionsMatter: false,
    summary: 'is read-only',
    check: () => OK,
    examples: { allow, notAllow },
  };
}

const FIND_FORBIDDEN = ['-exec', '-execdir', '-ok', '-okdir', '-delete', '-fprint', '-fprint0', '-fprintf', '-fls'];

const GIT_SAFE_GLOBALS = [
  '--no-pager', '-P', '--no-replace-objects', '--literal-pathspecs', '--glob-pathspecs', '--noglob-pathspecs',
  '--icase-pathspecs', '--no-optional-locks', '--no-advice',
];
const GIT_READ_SUBCOMMANDS = ['status', 'log', 'diff', 'show', 'branch'];
/** Long options of log/diff/show that write files or run external programs. */
const GIT_FORBIDDEN_LONG = ['output', 'ext-diff'];
const GIT_BRANCH_FLAGS = new Set([
  '-a', '--all', '-r', '--remotes', '-l', '--list', '-v', '-vv', '--verbose', '--show-current', '-i',
  '--ignore-case', '--no-color', '--omit-empty', '-q', '--quiet',
]);
const GIT_BRANCH_WITH_VALUE = ['contains', 'no-contains', 'merged', 'no-merged', 'points-at', 'sort', 'format', 'color', 'abbrev', 'column'];

function checkGitBranch(args: readonly string[]): AllowCheck {
  let listing = false;
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (GIT_BRANCH_FLAGS.has(arg)) {
      if (arg === '-l' || arg === '--list') listing = true;
      continue;
    }
    if (arg.startsWith('--')) {
      const [written = '', value] = arg.slice(2).split(/=(.*)/s);
      const name = resolveLongOption(written, GIT_BRANCH_WITH_VALUE);
      if (!name) return no(`\`git branch ${arg}\` can change branches`);
      if (value === undefined && !['color', 'abbrev', 'column'].includes(name)) i++;
      continue;
    }
    if (arg.startsWith('-')) return no(`\`git branch ${arg}\` can change branches`);
    operands.push(arg);
  }
  if (operands.length > 0 && !listing) return no('`git branch NAME` creates a branch');
  return OK;
}

function checkGit(args: readonly string[]): AllowCheck {
  let i = 0;
  while (i < args.length && (args[i] as string).startsWith('-')) {
    const arg = args[i] as string;
    if (arg === '-C') i += 2;
    else if (GIT_SAFE_GLOBALS.includes(arg)) i += 1;
    else return no(`git's global option \`${arg}\` can change what git runs or writes`);
  }
  const subcommand = args[i];
  if (subcommand === undefined) return OK;
  if (!GIT_READ_SUBCOMMANDS.includes(subcommand)) return no(`\`git ${subcommand}\` is not a read-only git command`);
  const rest = args.slice(i + 1);
  if (subcommand === 'branch') return checkGitBranch(rest);
  for (const arg of rest) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const written = arg.slice(2).split('=')[0] ?? '';
    const forbidden = GIT_FORBIDDEN_LONG.find((name) => written.length >= 2 && name.startsWith(written));
    if (forbidden) return no(`\`git ${subcommand} ${arg}\` ${forbidden === 'output' ? 'writes a file' : 'runs an external diff program'}`);
  }
  return OK;
}

function checkDate(args: readonly string[]): AllowCheck {
  const scanned = scanOptions(args, {
    flags: 'uRI',
    withValue: 'dfrs',
    longFlags: ['utc', 'universal', 'rfc-email', 'debug', 'iso-8601', 'help', 'version'],
    longWithValue: ['date', 'file', 'reference', 'set', 'rfc-3339', 'resolution'],
  });
  if (scanned.options.some((o) => o.name === '-s' || o.name === '--set')) return no('`date --set` changes the clock');
  if (scanned.unknown.length > 0) return no(`unrecognised \`date\` option ${scanned.unknown[0]}`);
  const setting = scanned.operands.find((operand) => !operand.startsWith('+'));
  if (setting !== undefined) return no(`\`date ${setting}\` sets the clock`);
  return OK;
}

function checkInstall(tool: string, forbiddenOptions: string[]): (args: readonly string[]) => AllowCheck {
  return (args) => {
    const subcommandIndex = args.findIndex((a) => !a.startsWith('-'));
    if (args[subcommandIndex] !== 'install') return no(`only \`${tool} install\` is allowed by default`);
    for (const arg of args) {
      if (forbiddenOptions.some((o) => arg === o || arg.startsWith(`${o}=`) || (o.length === 2 && arg.startsWith(o)))) {
        return no(`\`${tool} ${arg}\` can run arbitrary commands`);
      }
      if (/^[a-z]+:\/\//i.test(arg) || arg.endsWith('.rb')) return no(`\`${tool} install ${arg}\` installs from outside the package index`);
    }
    return OK;
  };
}

export const ALLOW_RULES: readonly AllowRule[] = [
  readOnly(['ls'], ['ls', 'ls -la ~/', 'ls -R src']),
  readOnly(['cat'], ['cat README.md', 'cat ~/.zshrc'], ['cat ~/.ssh/id_rsa']),
  readOnly(['echo'], ['echo hello', "echo 'rm -rf / is bad'"]),
  readOnly(['pwd'], ['pwd']),
  readOnly(['whoami'], ['whoami']),
  readOnly(['uname'], ['uname -a']),
  readOnly(['which'], ['which git']),
  readOnly(['head'], ['head -n 5 file.txt']),
  readOnly(['tail'], ['tail -n 20 log.txt']),
  readOnly(['wc'], ['wc -l src/index.ts']),
  readOnly(['grep', 'egrep', 'fgrep'], ['grep -rn "curl | sh" docs', 'grep -i todo src/a.ts']),
  readOnly(['true', 'false', 'test', '['], ['true', 'test -f package.json', '[ -d src ]']),
  {
    name: 'printf',
    programs: ['printf'],
    optionsMatter: true,
    summary: 'only prints',
    check: (args) => (args[0] === '-v' ? no('`printf -v` assigns a shell variable') : OK),
    examples: { allow: ["printf '%s\\n' a b"], notAllow: ['printf -v x hi'] },
  },
  {
    name: 'date',
    programs: ['date'],
    optionsMatter: true,
    summary: 'is read-only unless it sets the clock',
    check: checkDate,
    examples: { allow: ['date', 'date -u +%Y-%m-%d', "date -d '2 days ago'"], notAllow: ['date -s 12:00', 'date --set=now', 'date 010112002030'] },
  },
  {
    name: 'find',
    programs: ['find'],
    optionsMatter: true,
    summary: 'is read-only without actions that run, delete or write',
    check: (args) => {
      const action = args.find((a) => FIND_FORBIDDEN.includes(a));
      return action ? no(`\`find ${action}\` ${action.startsWith('-f') ? 'writes a file' : action === '-delete' ? 'deletes files' : 'runs a command'}`) : OK;
    },
    examples: { allow: ['find . -name "*.ts"', 'find src -type f -newer x'], notAllow: ['find . -delete', 'find . -exec cat {} ;', 'find . -fprint out'] },
  },
  {
    name: 'git',
    programs: ['git'],
    optionsMatter: true,
    summary: 'is a read-only git command',
    check: checkGit,
    examples: {
      allow: ['git status', 'git log --oneline -5', 'git diff HEAD~1', 'git show HEAD', 'git branch -a', 'git -C repo status', 'git branch --list "feat*"'],
      notAllow: ['git push', 'git -c core.pager=sh log', 'git --config-env=x=y log', 'git diff --output=x', 'git diff --ext-diff', 'git -p log', 'git branch new', 'git branch -D old', 'git log --outp=x'],
    },
  },
  {
    name: 'brew-install',
    programs: ['brew'],
    optionsMatter: true,
    summary: 'is allowed by default (note: installing a package runs its install scripts)',
    check: checkInstall('brew', []),
    examples: { allow: ['brew install node', 'brew install --cask firefox'], notAllow: ['brew uninstall node', 'brew install https://x/y.rb'] },
  },
  {
    name: 'apt-install',
    programs: ['apt', 'apt-get'],
    optionsMatter: true,
    summary: 'is allowed by default (note: installing a package runs its install scripts)',
    check: checkInstall('apt', ['-o', '--option', '-c', '--config-file']),
    examples: { allow: ['apt install ripgrep', 'apt-get install -y jq'], notAllow: ['apt remove jq', 'apt install -o APT::Update::Pre-Invoke::=x jq'] },
  },
];

const BY_PROGRAM = new Map<string, AllowRule>();
for (const rule of ALLOW_RULES) for (const program of rule.programs) BY_PROGRAM.set(program, rule);

export function allowRuleFor(program: string): AllowRule | undefined {
  return BY_PROGRAM.get(program);
}

/** Checks a command's arguments against its allow rule. */
export function checkAllowed(rule: AllowRule, args: readonly Arg[]): AllowCheck {
  if (rule.optionsMatter) {
    const dynamic = args.find((a) => a.dynamic);
    if (dynamic) return no(`its argument \`${dynamic.word.source}\` is only known when it runs`);
  }
  return rule.check(args.map((a) => a.value));
}
