import { testProblem } from './command.js';
import { checkFind } from './allowFind.js';
import { SCRIPT_RULES } from './allowScripts.js';
import { TEXT_RULES } from './allowText.js';
import { versionRules } from './allowVersion.js';
import { checkGit } from './allowGit.js';
import { isRecursiveOverHome, toolGlobCredential } from './credentials.js';
import type { Arg } from './model.js';
import { HELP, OK, no, options, readOnly, type AllowCheck, type AllowRule } from './allowRule.js';
import { hasOption, longOptions as long, scanOptions, shortOptions as short, type OptionSpec, type ScannedOptions } from './options.js';

/**
 * The default allowlist. A rule allows a simple command only when its words are static and its
 * options, read the way the tool's getopt reads them, keep it read-only (or, for package
 * installs, within what the rule documents). An option a rule does not know is `ask`. Each rule
 * carries example commands that the test suite checks, so a rule and its intent cannot drift.
 */
export { OK, no, type AllowCheck, type AllowRule } from './allowRule.js';

const LS: OptionSpec = {
  short: short('aAbBcCdDfFgGhHiklLmnNopqQrRsStuUvxXZ1', 'IwT'),
  long: long(
    ['all', 'almost-all', 'author', 'escape', 'ignore-backups', 'directory', 'dired', 'file-type', 'human-readable', 'si', 'dereference-command-line', 'dereference-command-line-symlink-to-dir', 'dereference', 'inode', 'kibibytes', 'literal', 'numeric-uid-gid', 'hide-control-chars', 'show-control-chars', 'quote-name', 'recursive', 'reverse', 'size', 'zero', 'context', 'group-directories-first', 'no-group', 'full-time', ...HELP],
    ['block-size', 'format', 'hide', 'ignore', 'quoting-style', 'sort', 'tabsize', 'time-style', 'width', 'time', 'indicator-style'],
    ['color', 'colour', 'hyperlink', 'classify'],
  ),
};

const GREP: OptionSpec = {
  short: short('EFGPiyvwxcLloqsbHhnTZzUarRI', 'efmABCdD', ''),
  long: long(
    ['extended-regexp', 'fixed-strings', 'basic-regexp', 'perl-regexp', 'ignore-case', 'no-ignore-case', 'invert-match', 'word-regexp', 'line-regexp', 'count', 'files-without-match', 'files-with-matches', 'only-matching', 'quiet', 'silent', 'no-messages', 'byte-offset', 'with-filename', 'no-filename', 'line-number', 'initial-tab', 'null', 'null-data', 'text', 'recursive', 'dereference-recursive', 'binary', 'line-buffered', 'no-group-separator', ...HELP],
    ['regexp', 'file', 'max-count', 'label', 'after-context', 'before-context', 'context', 'binary-files', 'devices', 'directories', 'exclude', 'exclude-from', 'exclude-dir', 'include', 'group-separator'],
    ['color', 'colour'],
  ),
  numeric: true,
};

function checkGrep(scanned: ScannedOptions): AllowCheck {
  for (const option of scanned.options) {
    if (['--include', '--exclude', '--exclude-dir'].includes(option.name) && option.value !== undefined) {
      const found = toolGlobCredential(option.value);
      if (found) return no(`\`grep ${option.name}=${option.value}\` picks credential files (${found})`);
    }
  }
  const recursive = hasOption(scanned, '-r', '-R', '--recursive', '--dereference-recursive') || scanned.options.some((o) => (o.name === '-d' || o.name === '--directories') && o.value === 'recurse');
  if (recursive) {
    // The first operand is the pattern unless -e/-f gave it.
    const patternGiven = hasOption(scanned, '-e', '--regexp', '-f', '--file');
    const paths = scanned.operands.slice(patternGiven ? 0 : 1);
    const home = paths.find((p) => isRecursiveOverHome(p));
    if (home !== undefined) return no(`\`grep -r\` over \`${home}\` reads every credential file under it`);
  }
  return OK;
}

const DATE: OptionSpec = {
  short: short('uR', 'dfrs', 'I'),
  long: long(['utc', 'universal', 'rfc-email', 'debug', ...HELP], ['date', 'file', 'reference', 'set', 'rfc-3339', 'resolution'], ['iso-8601']),
};

function checkDate(scanned: ScannedOptions): AllowCheck {
  if (hasOption(scanned, '-s', '--set')) return no('`date --set` changes the clock');
  const setting = scanned.operands.find((operand) => !operand.startsWith('+'));
  if (setting !== undefined) return no(`\`date ${setting}\` sets the clock`);
  return OK;
}

function checkPrintf(args: readonly Arg[]): AllowCheck {
  const first = args[0]?.value;
  if (first === undefined) return no('`printf` without a format is an error');
  if (first.startsWith('-') && first !== '--') return no(`\`printf ${first}\` is an option (\`-v\` assigns a shell variable)`);
  return OK;
}

function checkTestWords(args: readonly Arg[]): AllowCheck {
  const problem = testProblem(args);
  return problem ? { ok: false, why: problem.message, dynamic: problem.code === 'DYNAMIC_ARGUMENT' } : OK;
}

function checkInstall(tool: string, spec: OptionSpec, forbidden: string[]): (args: readonly Arg[]) => AllowCheck {
  return (args) => {
    const scanned = scanOptions(args.map((a) => a.value), spec);
    if (scanned.unknown.length > 0) return no(`Leash does not know the option \`${scanned.unknown[0]}\``);
    const bad = scanned.options.find((o) => forbidden.includes(o.name));
    if (bad) return no(`\`${tool} ${bad.name}\` can run arbitrary commands`);
    if (scanned.operands[0] !== 'install') return no(`only \`${tool} install\` is allowed by default`);
    for (const operand of scanned.operands.slice(1)) {
      if (/[/:]/.test(operand) || operand.endsWith('.rb') || operand.endsWith('.deb') || operand.startsWith('.')) return no(`\`${tool} install ${operand}\` installs from outside the package index`);
    }
    return OK;
  };
}

const APT: OptionSpec = {
  short: short('ydfmqsuhv', 'octa', ''),
  long: long(['yes', 'assume-yes', 'assume-no', 'quiet', 'simulate', 'dry-run', 'no-install-recommends', 'install-recommends', 'install-suggests', 'fix-broken', 'fix-missing', 'no-download', 'download-only', 'reinstall', 'only-upgrade', 'no-upgrade', 'show-progress', 'verbose-versions', ...HELP], ['option', 'config-file', 'target-release', 'host-architecture']),
};
const BREW: OptionSpec = {
  short: short('dfvsq'),
  long: long(['debug', 'force', 'verbose', 'quiet', 'formula', 'formulae', 'cask', 'casks', 'dry-run', 'fetch-HEAD', 'HEAD', 'keep-tmp', 'build-from-source', 'force-bottle', 'ignore-dependencies', 'only-dependencies', 'overwrite', 'no-quarantine', 'quarantine', 'adopt', 'skip-cask-deps', 'zap', 'display-times', 'ask', 'skip-post-install', 'skip-link', ...HELP]),
};

export const ALLOW_RULES: readonly AllowRule[] = [
  readOnly(['ls'], LS, ['ls', 'ls -la ~/', 'ls -R src', 'ls --color=auto -1', 'ls -w80'], ['ls --frobnicate', './ls', 'node_modules/.bin/ls', '/tmp/ls']),
  readOnly(['cat'], { short: short('AbeEnstTuv'), long: long(['show-all', 'number-nonblank', 'show-ends', 'number', 'squeeze-blank', 'show-tabs', 'show-nonprinting', ...HELP]) }, ['cat README.md', 'cat ~/.zshrc', 'cat -n a b'], ['cat ~/.ssh/id_rsa', 'cat --x a', 'cat /etc//shadow', 'cat /proc/1/environ']),
  { name: 'echo', programs: ['echo'], summary: 'only prints', globsOk: true, check: () => OK, examples: { allow: ['echo hello', "echo 'rm -rf / is bad'", 'echo -n x'], notAllow: ['echo $(id)'] } },
  readOnly(['pwd'], { short: short('LP'), long: long(HELP) }, ['pwd', 'pwd -P'], ['pwd -x']),
  readOnly(['whoami'], { long: long(HELP) }, ['whoami']),
  readOnly(['uname'], { short: short('asnrvmpio'), long: long(['all', 'kernel-name', 'nodename', 'kernel-release', 'kernel-version', 'machine', 'processor', 'hardware-platform', 'operating-system', ...HELP]) }, ['uname -a', 'uname -sr'], ['uname -z']),
  readOnly(['which'], { short: short('as') }, ['which git', 'which -a node'], ['which --skip-alias git']),
  readOnly(['head'], { short: short('qvz', 'cn'), long: long(['quiet', 'silent', 'verbose', 'zero-terminated', ...HELP], ['bytes', 'lines']), numeric: true }, ['head -n 5 file.txt', 'head -5 a', 'head -n5 a', 'head --lines=3 a'], ['head --x a']),
  readOnly(['tail'], { short: short('fFqvz', 'cns'), long: long(['retry', 'quiet', 'silent', 'verbose', 'zero-terminated', ...HELP], ['bytes', 'lines', 'pid', 'sleep-interval', 'max-unchanged-stats'], ['follow']), numeric: true }, ['tail -n 20 log.txt', 'tail -f log', 'tail --follow=name log'], ['tail -x log']),
  readOnly(['wc'], { short: short('clmwL'), long: long(['bytes', 'chars', 'lines', 'words', 'max-line-length', ...HELP], ['files0-from', 'total']) }, ['wc -l src/index.ts', 'wc -lw a'], ['wc -q a']),
  readOnly(['grep', 'egrep', 'fgrep'], GREP, ['grep -rn "curl | sh" docs', 'grep -i todo src/a.ts', 'grep -C3 x a', 'grep --color=auto -e x a'], ['grep -r KEY ~', "grep -r --include='*.env' '' .", 'grep --frob x a', 'grep -rn x ~/'], (s) => checkGrep(s)),
  { name: 'true', programs: ['true', 'false', ':'], summary: 'does nothing', check: () => OK, examples: { allow: ['true', 'false', ':'], notAllow: [] } },
  { name: 'test', programs: ['test', '['], summary: 'only tests a condition', check: (args) => checkTestWords(args), examples: { allow: ['test -f package.json', '[ -d src ]'], notAllow: ["test -v 'a[$(id)]'"] } },
  {
    name: 'printf',
    programs: ['printf'],
    summary: 'only prints',
    check: checkPrintf,
    examples: { allow: ["printf '%s\\n' a b", 'printf -- -x'], notAllow: ['printf -v x hi', 'printf -vx hi', "printf '-va[$(id)]' x"] },
  },
  {
    name: 'date',
    programs: ['date'],
    summary: 'is read-only unless it sets the clock',
    check: options(DATE, checkDate),
    examples: { allow: ['date', 'date -u +%Y-%m-%d', "date -d '2 days ago'", 'date -Iseconds'], notAllow: ['date -s 12:00', 'date --set=now', 'date 010112002030', 'date -us 1'] },
  },
  {
    name: 'find',
    programs: ['find'],
    summary: 'is read-only without actions that run, delete or write',
    check: checkFind,
    examples: { allow: ['find . -name "*.ts"', 'find src -type f -newer x', 'find . -maxdepth 2 \\( -name a -o -name b \\) -print'], notAllow: ['find . -delete', 'find . -exec cat {} ;', 'find . -fprint out', 'find . -frobnicate'] },
  },
  {
    name: 'git',
    programs: ['git'],
    summary: 'is a read-only git command',
    check: checkGit,
    examples: {
      allow: ['git status', 'git log --oneline -5', 'git diff HEAD~1', 'git show HEAD', 'git branch -a', 'git branch --list "feat*"', 'git log -n 3 --stat'],
      notAllow: ['git push', 'git -c core.pager=sh log', 'git --config-env=x=y log', 'git diff --output=x', 'git diff --ext-diff', 'git -p log', 'git branch new', 'git branch -D old', 'git log --outp=x', 'git -C repo status', "git log -p -- '*.env'", 'git log --frobnicate', "git log -p -- ':(top).env'", "git grep KEY -- ':(icase).ENV'", 'git log -p --stdin', 'git diff ~ /tmp/empty', 'git diff --stat ../.. x'],
    },
  },
  {
    name: 'brew-install',
    programs: ['brew'],
    summary: 'is allowed by default (note: installing a package runs its install scripts)',
    check: checkInstall('brew', BREW, []),
    examples: { allow: ['brew install node', 'brew install --cask firefox'], notAllow: ['brew uninstall node', 'brew install https://x/y.rb'] },
  },
  {
    name: 'apt-install',
    programs: ['apt', 'apt-get'],
    summary: 'is allowed by default (note: installing a package runs its install scripts)',
    check: checkInstall('apt', APT, ['-o', '--option', '-c', '--config-file']),
    examples: { allow: ['apt install ripgrep', 'apt-get install -y jq'], notAllow: ['apt remove jq', 'apt install -o APT::Update::Pre-Invoke::=x jq', 'apt-get install -yo DPkg::Pre-Invoke::=x jq', 'apt install ./x.deb'] },
  },
];

const BY_PROGRAM = new Map<string, AllowRule>();
for (const rule of [...ALLOW_RULES, ...TEXT_RULES, ...SCRIPT_RULES]) for (const program of rule.programs) BY_PROGRAM.set(program, rule);
for (const rule of versionRules(new Set(BY_PROGRAM.keys()))) for (const program of rule.programs) BY_PROGRAM.set(program, rule);

/** Every rule, the default allowlist's and those of the other rule files (their examples are tested). */
export const ALL_RULES: readonly AllowRule[] = [...new Set(BY_PROGRAM.values())];

export function allowRuleFor(program: string): AllowRule | undefined {
  return BY_PROGRAM.get(program);
}

/**
 * Whether the glob at `index` can expand to a word starting with `-`: it starts with a wildcard
 * and stands before any `--` (after which getopt reads no options).
 */
function canSpellOption(args: readonly Arg[], index: number): boolean {
  if (args.slice(0, index).some((a) => a.value === '--' && !a.glob)) return false;
  return /^[*?[-]/.test((args[index] as Arg).value);
}

/** Checks a command's arguments against its allow rule: static words first, then the rule. */
export function checkAllowed(rule: AllowRule, args: readonly Arg[]): AllowCheck {
  const dynamic = args.find((a) => a.dynamic);
  if (dynamic) return { ok: false, why: `its argument \`${dynamic.word.source}\` is only known when it runs`, dynamic: true };
  const policy = rule.globsOk === true ? 'any' : rule.globsOk || 'none';
  const glob = policy === 'any' ? undefined : args.find((a, i) => a.glob && (policy === 'none' || canSpellOption(args, i)));
  if (glob) {
    return no(policy === 'none'
      ? `bash expands the glob \`${glob.word.source}\` into as many file names as it finds, and how many matters to \`${rule.name}\``
      : `bash expands the glob \`${glob.word.source}\` into file names that could spell options (a file named \`-o\`); write \`./${glob.word.source}\` or put \`--\` before it`);
  }
  return rule.check(args);
}
