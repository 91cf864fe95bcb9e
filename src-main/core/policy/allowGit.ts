import { no, OK, type AllowCheck } from './allowRule.js';
import { toolGlobCredential } from './credentials.js';
import type { Arg } from './model.js';
import { hasOption, longOptions as long, scanOptions, shortOptions as short, type OptionSpec } from './options.js';

/**
 * Read-only git: `status`, `log`, `diff`, `show`, `branch` (listing), with the options each
 * takes modelled. Global options that point git at another repository or configuration (`-C`,
 * `-c`, `--git-dir`, `--exec-path`, …) ask: a repository's config can run programs. Pathspecs
 * are globs git matches itself, so `'*.env'` is a credential read.
 */

const SAFE_GLOBALS = new Set([
  '--no-pager', '-P', '--no-replace-objects', '--literal-pathspecs', '--glob-pathspecs', '--noglob-pathspecs',
  '--icase-pathspecs', '--no-optional-locks', '--no-advice',
]);

const DIFF_FLAGS = [
  'patch', 'no-patch', 'raw', 'patch-with-raw', 'patch-with-stat', 'numstat', 'shortstat', 'summary', 'name-only', 'name-status',
  'full-index', 'binary', 'no-renames', 'text', 'ignore-all-space', 'ignore-space-change', 'ignore-space-at-eol', 'ignore-blank-lines',
  'ignore-cr-at-eol', 'minimal', 'patience', 'histogram', 'no-color', 'no-prefix', 'default-prefix', 'exit-code', 'quiet', 'check',
  'no-ext-diff', 'no-textconv', 'textconv', 'cached', 'staged', 'merge-base', 'no-index', 'irreversible-delete', 'pickaxe-all',
  'pickaxe-regex', 'compact-summary', 'cumulative', 'no-relative', 'ita-invisible-in-index', 'function-context', 'no-indent-heuristic',
  'indent-heuristic', 'find-copies-harder', 'combined-all-paths', 'no-stat', 'color-moved-ws',
];
const DIFF_VALUES = ['diff-filter', 'unified', 'src-prefix', 'dst-prefix', 'line-prefix', 'diff-algorithm', 'inter-hunk-context', 'word-diff-regex', 'anchored', 'ignore-matching-lines', 'skip-to', 'rotate-to', 'stat-width', 'stat-name-width', 'stat-count', 'stat-graph-width', 'output-indicator-new', 'output-indicator-old', 'output-indicator-context', 'ws-error-highlight'];
const DIFF_OPTIONAL = ['stat', 'dirstat', 'color', 'color-words', 'word-diff', 'relative', 'abbrev', 'find-renames', 'find-copies', 'break-rewrites', 'submodule', 'ignore-submodules', 'color-moved'];
const LOG_FLAGS = [
  'oneline', 'graph', 'no-decorate', 'all', 'reverse', 'first-parent', 'merges', 'no-merges', 'follow', 'abbrev-commit', 'no-abbrev-commit',
  'regexp-ignore-case', 'extended-regexp', 'fixed-strings', 'perl-regexp', 'invert-grep', 'all-match', 'left-right', 'cherry-pick',
  'cherry-mark', 'cherry', 'topo-order', 'date-order', 'author-date-order', 'boundary', 'source', 'use-mailmap', 'no-walk', 'do-walk',
  'full-history', 'simplify-merges', 'simplify-by-decoration', 'ancestry-path', 'show-signature', 'relative-date', 'parents', 'children',
  'no-notes', 'show-notes', 'standard-notes', 'no-standard-notes', 'log-size', 'dense', 'sparse', 'remove-empty', 'show-pulls',
  'no-min-parents', 'no-max-parents', 'encoding', 'expand-tabs', 'no-expand-tabs', 'mailmap', 'no-mailmap', 'no-graph', 'single-worktree',
  'since-as-filter', 'show-linear-break', 'cc', 'dd', 'remerge-diff', 'no-diff-merges', 'no-standard-notes', 'stdin',
];
const LOG_VALUES = ['max-count', 'skip', 'since', 'after', 'until', 'before', 'author', 'committer', 'grep', 'grep-reflog', 'format', 'date', 'min-parents', 'max-parents', 'glob', 'exclude', 'notes', 'diff-merges', 'max-age', 'min-age'];
const LOG_OPTIONAL = ['pretty', 'decorate', 'branches', 'tags', 'remotes', 'no-walk', 'expand-tabs', 'decorate-refs', 'decorate-refs-exclude', 'clear-decorations'];

const LOG: OptionSpec = {
  short: short('puszwbRacmtrqiEFPh', 'nSGOL', 'MCBUl'),
  // `ext-diff` and `output` are listed so that their prefixes resolve to them (and are refused).
  long: long([...DIFF_FLAGS, ...LOG_FLAGS, 'ext-diff'], [...DIFF_VALUES, ...LOG_VALUES, 'output'], [...DIFF_OPTIONAL, ...LOG_OPTIONAL]),
  numeric: true,
};
const STATUS: OptionSpec = {
  short: short('sbvz', '', 'u'),
  long: long(['short', 'branch', 'long', 'verbose', 'no-column', 'ahead-behind', 'no-ahead-behind', 'renames', 'no-renames', 'show-stash', 'null'], [], ['porcelain', 'untracked-files', 'ignored', 'ignore-submodules', 'column', 'find-renames']),
};
const BRANCH: OptionSpec = {
  short: short('arlvqi'),
  long: long(['all', 'remotes', 'list', 'verbose', 'show-current', 'ignore-case', 'no-color', 'omit-empty', 'quiet', 'no-column'], ['contains', 'no-contains', 'merged', 'no-merged', 'points-at', 'sort', 'format'], ['color', 'abbrev', 'column']),
};
const REV_PARSE: OptionSpec = {
  short: short('q'),
  long: long(
    ['show-toplevel', 'show-cdup', 'show-prefix', 'git-dir', 'absolute-git-dir', 'git-common-dir', 'is-inside-work-tree', 'is-inside-git-dir', 'is-bare-repository', 'is-shallow-repository', 'show-superproject-working-tree', 'shared-index-path', 'verify', 'quiet', 'symbolic', 'symbolic-full-name', 'all', 'branches', 'tags', 'remotes', 'local-env-vars', 'sq', 'not', 'revs-only', 'no-revs', 'flags', 'no-flags', 'show-object-format', 'show-ref-format'],
    ['default', 'prefix', 'since', 'after', 'until', 'before', 'resolve-git-dir', 'git-path', 'exclude', 'path-format'],
    ['short', 'abbrev-ref', 'disambiguate', 'glob'],
  ),
};
const LS_FILES: OptionSpec = {
  short: short('cdmoiskuvtfz', 'xX'),
  long: long(['cached', 'deleted', 'modified', 'others', 'ignored', 'stage', 'killed', 'unmerged', 'directory', 'no-empty-directory', 'exclude-standard', 'error-unmatch', 'full-name', 'recurse-submodules', 'debug', 'eol', 'resolve-undo', 'deduplicate', 'sparse'], ['exclude', 'exclude-from', 'exclude-per-directory', 'with-tree', 'format'], ['abbrev']),
};
const GREP: OptionSpec = {
  short: short('aiIvwEGFPnlLhHcqozrW', 'efmABC', 'O'),
  long: long(
    ['cached', 'untracked', 'no-index', 'no-exclude-standard', 'exclude-standard', 'recurse-submodules', 'text', 'textconv', 'no-textconv', 'ignore-case', 'word-regexp', 'invert-match', 'full-name', 'extended-regexp', 'basic-regexp', 'perl-regexp', 'fixed-strings', 'line-number', 'column', 'files-with-matches', 'name-only', 'files-without-match', 'null', 'only-matching', 'count', 'no-color', 'break', 'heading', 'show-function', 'function-context', 'and', 'or', 'not', 'all-match', 'quiet', 'recursive', 'no-recursive'],
    ['max-depth', 'threads', 'file', 'regexp', 'context', 'after-context', 'before-context', 'max-count'],
    ['color', 'open-files-in-pager'],
  ),
  numeric: true,
};
const BLAME: OptionSpec = {
  short: short('bclstfnepwM', 'LS', 'C'),
  long: long(['root', 'show-stats', 'show-name', 'show-number', 'show-email', 'porcelain', 'line-porcelain', 'incremental', 'progress', 'no-progress', 'reverse', 'first-parent', 'encoding', 'textconv', 'no-textconv', 'minimal', 'color-lines', 'color-by-age'], ['contents', 'date', 'ignore-rev', 'ignore-revs-file'], ['abbrev', 'score-debug']),
};
const TAG: OptionSpec = {
  short: short('li', '', 'n'),
  long: long(['list', 'ignore-case', 'omit-empty', 'no-column'], ['sort', 'contains', 'no-contains', 'merged', 'no-merged', 'points-at', 'format'], ['color', 'column']),
};
const SHORTLOG: OptionSpec = {
  short: short('nsec', 'w'),
  long: long(['numbered', 'summary', 'email', 'committer', 'all', 'no-merges', 'merges', 'reverse', 'first-parent'], ['group', 'format', 'since', 'after', 'until', 'before', 'author', 'max-count', 'grep'], ['w']),
  numeric: true,
};
const DESCRIBE: OptionSpec = {
  long: long(['all', 'tags', 'contains', 'long', 'always', 'first-parent', 'exact-match', 'debug'], ['candidates', 'match', 'exclude'], ['abbrev', 'dirty', 'broken']),
};
const REMOTE: OptionSpec = { short: short('v'), long: long(['verbose', 'push', 'all']) };
const CONFIG: OptionSpec = {
  short: short('z'),
  long: long(['get', 'get-all', 'global', 'system', 'local', 'worktree', 'show-origin', 'show-scope', 'null', 'name-only', 'includes', 'no-includes', 'bool', 'int', 'path'], ['file', 'blob', 'type', 'default']),
};
const STASH_LIST: OptionSpec = LOG;

const SPECS: Record<string, OptionSpec> = {
  status: STATUS, log: LOG, show: LOG, diff: LOG, branch: BRANCH, 'rev-parse': REV_PARSE, 'ls-files': LS_FILES, grep: GREP,
  blame: BLAME, tag: TAG, shortlog: SHORTLOG, describe: DESCRIBE, remote: REMOTE, config: CONFIG, stash: STASH_LIST,
};
const FORBIDDEN: Record<string, string> = {
  '--output': 'writes a file', '--ext-diff': 'runs an external diff program', '--no-index': 'reads files outside the repository',
  '-O': 'opens the matches in a pager program', '--open-files-in-pager': 'opens the matches in a pager program',
  '--textconv': 'runs the textconv programs of the repository configuration', '--contents': 'reads the file it names',
  '--file': 'reads the file it names', '--blob': 'reads another configuration', '--ignore-revs-file': 'reads the file it names',
  '--stdin': 'reads revisions and pathspecs from standard input, out of sight of the credential check',
};
/** Settings whose values are secrets (tokens in headers and URLs, credential helpers' data). */
const SECRET_CONFIG = /(credential|token|password|passwd|secret|extraheader|auth|cookie|insteadof|pushurl|\burl\b|proxy)/i;

export function checkGit(args: readonly Arg[]): AllowCheck {
  const values = args.map((a) => a.value);
  let i = 0;
  if (values.length === 1 && values[0] === '--version') return OK;
  while (i < values.length && (values[i] as string).startsWith('-')) {
    const arg = values[i] as string;
    if (!SAFE_GLOBALS.has(arg)) return no(`git's global option \`${arg}\` can change which repository, configuration or programs git uses`);
    i++;
  }
  const subcommand = values[i];
  if (subcommand === undefined) return OK;
  if (subcommand === 'version' && values.length === i + 1) return OK;
  const spec = SPECS[subcommand];
  if (!spec) return no(`\`git ${subcommand}\` is not a read-only git command`);
  let rest = values.slice(i + 1);
  const shape = subcommandShape(subcommand, rest);
  if (!shape.ok) return shape.check;
  rest = shape.rest;
  const scanned = scanOptions(rest, spec);
  if (scanned.unknown.length > 0) return no(`Leash does not know \`git ${subcommand} ${scanned.unknown[0]}\``);
  const forbidden = scanned.options.find((o) => FORBIDDEN[o.name]);
  if (forbidden) return no(`\`git ${subcommand} ${forbidden.name}\` ${FORBIDDEN[forbidden.name]}`);
  for (const operand of subcommand === 'branch' || subcommand === 'config' ? [] : scanned.operands) {
    const found = toolGlobCredential(operand) ?? pathspecCredential(operand);
    if (found) return no(`\`${operand}\` is a pathspec git matches against credential files (${found})`);
  }
  if (subcommand === 'diff') {
    // `git diff A B` with a path outside the work tree is `git diff --no-index`: it reads (and
    // recurses into) any directory, `git diff ~ /tmp/empty` prints the home directory.
    const outside = scanned.operands.find((o) => /^[/~]/.test(o) || /(^|\/)\.\.(\/|$)/.test(o));
    if (outside !== undefined) return no(`\`git diff ${outside}\` names a path outside the repository, which makes it \`git diff --no-index\` (${FORBIDDEN['--no-index']})`);
  }
  if (subcommand === 'branch' && scanned.operands.length > 0 && !hasOption(scanned, '-l', '--list')) return no('`git branch NAME` creates a branch');
  if (subcommand === 'tag' && scanned.operands.length > 0 && !hasOption(scanned, '-l', '--list')) return no('`git tag NAME` creates a tag');
  if (subcommand === 'config') return checkConfig(scanned.operands, hasOption(scanned, '--get', '--get-all'));
  return OK;
}

/**
 * Pathspec magic (`:(top).env`, `:(icase).ENV`, `:(glob)*.env`, `:/.npmrc`) names the same files
 * as the path after it: the magic is taken off and the path checked as a glob git matches.
 * Excluding magic (`:!x`, `:^x`, `:(exclude)x`) selects nothing by that path.
 */
function pathspecCredential(operand: string): string | undefined {
  if (!operand.startsWith(':')) return undefined;
  let magic: string[];
  let path: string;
  const long = /^:\(([^)]*)\)(.*)$/s.exec(operand);
  if (long) {
    magic = (long[1] as string).split(',').map((m) => m.trim().toLowerCase());
    path = long[2] as string;
  } else {
    const short = /^:([/!^]*):?(.*)$/s.exec(operand) as RegExpExecArray;
    magic = [...(short[1] as string)].map((m) => (m === '/' ? 'top' : 'exclude'));
    path = short[2] as string;
  }
  if (magic.includes('exclude')) return undefined;
  return toolGlobCredential(path);
}

type Shape = { ok: true; rest: string[] } | { ok: false; check: AllowCheck };

/** Subcommands whose read-only form is a fixed word: `git remote -v`, `git stash list`, `git config get`. */
function subcommandShape(subcommand: string, rest: string[]): Shape {
  if (subcommand === 'remote') {
    const [first, ...others] = rest;
    if (first === 'get-url') return others.filter((o) => !o.startsWith('-')).length === 1 ? { ok: true, rest: others } : { ok: false, check: no('`git remote get-url` takes one remote name') };
    if (rest.every((r) => r === '-v' || r === '--verbose')) return { ok: true, rest };
    return { ok: false, check: no(`\`git remote ${rest.join(' ')}\` is not a read-only git command`) };
  }
  if (subcommand === 'stash') return rest[0] === 'list' ? { ok: true, rest: rest.slice(1) } : { ok: false, check: no('only `git stash list` is read-only') };
  if (subcommand === 'config' && rest[0] === 'get') return { ok: true, rest: ['--get', ...rest.slice(1)] };
  return { ok: true, rest };
}

/** `git config --get KEY`: reading one setting, unless it holds a secret. Listing and writing ask. */
function checkConfig(operands: readonly string[], get: boolean): AllowCheck {
  if (!get) return no('only `git config --get KEY` is read-only here (`--list` prints every setting, tokens included; other forms write)');
  const key = operands[0];
  if (key === undefined || operands.length > 1) return no('`git config --get` takes one key');
  if (SECRET_CONFIG.test(key)) return no(`\`${key}\` can hold a secret (a token, a password or a URL with credentials)`);
  return OK;
}
