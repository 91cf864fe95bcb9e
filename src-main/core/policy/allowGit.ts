import { no, OK, type AllowCheck } from './allowlist.js';
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
const SPECS: Record<string, OptionSpec> = { status: STATUS, log: LOG, show: LOG, diff: LOG, branch: BRANCH };
const FORBIDDEN: Record<string, string> = { '--output': 'writes a file', '--ext-diff': 'runs an external diff program', '--no-index': 'reads files outside the repository' };

export function checkGit(args: readonly Arg[]): AllowCheck {
  const values = args.map((a) => a.value);
  let i = 0;
  while (i < values.length && (values[i] as string).startsWith('-')) {
    const arg = values[i] as string;
    if (!SAFE_GLOBALS.has(arg)) return no(`git's global option \`${arg}\` can change which repository, configuration or programs git uses`);
    i++;
  }
  const subcommand = values[i];
  if (subcommand === undefined) return OK;
  const spec = SPECS[subcommand];
  if (!spec) return no(`\`git ${subcommand}\` is not a read-only git command`);
  const rest = values.slice(i + 1);
  const scanned = scanOptions(rest, spec);
  if (scanned.unknown.length > 0) return no(`Leash does not know \`git ${subcommand} ${scanned.unknown[0]}\``);
  const forbidden = scanned.options.find((o) => FORBIDDEN[o.name]);
  if (forbidden) return no(`\`git ${subcommand} ${forbidden.name}\` ${FORBIDDEN[forbidden.name]}`);
  for (const operand of subcommand === 'branch' ? [] : scanned.operands) {
    const found = toolGlobCredential(operand);
    if (found) return no(`\`${operand}\` is a pathspec git matches against credential files (${found})`);
  }
  if (subcommand === 'branch' && scanned.operands.length > 0 && !hasOption(scanned, '-l', '--list')) return no('`git branch NAME` creates a branch');
  return OK;
}
