import { guarded, HELP, no, OK, readOnly, type AllowCheck, type AllowRule } from './allowRule.js';
import { isRecursiveOverHome, toolGlobCredential } from './credentials.js';
import { hasOption, longOptions as long, shortOptions as short, type ScannedOptions } from './options.js';

/**
 * Everyday read-only tools of code exploration (GNU coreutils, diffutils, ripgrep, fd, tree),
 * each with the options its getopt knows. Options that write (`sort -o`, `tree -o`), run
 * programs (`rg --pre`, `fd -x`, `sort --compress-program`, `diff -l`) or touch what they read
 * (`file -p` resets access times) are refused with their reason; any other option is unknown and
 * asks. Tools with such options accept only globs that cannot spell one (see GlobPolicy).
 */

/** Recursive content searches rooted at the home directory (or above it) read every credential file. */
function notOverHome(tool: string, paths: readonly string[]): AllowCheck {
  const home = paths.find((p) => isRecursiveOverHome(p));
  return home === undefined ? OK : no(`\`${tool}\` over \`${home}\` reads every credential file under it`);
}

/** Globs a tool matches itself (`rg -g '*.env'`) may pick credential files. */
function noCredentialGlobs(tool: string, scanned: ScannedOptions, names: readonly string[]): AllowCheck {
  for (const option of scanned.options) {
    if (!names.includes(option.name) || option.value === undefined) continue;
    // `--type-add NAME:GLOB` defines a file type by a glob (`-t NAME` then picks it).
    const glob = option.name === '--type-add' ? option.value.replace(/^[^:]*:/, '') : option.value;
    const found = toolGlobCredential(glob.replace(/^!/, ''));
    if (found) return no(`\`${tool} ${option.name} ${option.value}\` picks credential files (${found})`);
  }
  return OK;
}

const RG_FLAGS = [
  'ignore-case', 'case-sensitive', 'smart-case', 'word-regexp', 'line-regexp', 'invert-match', 'fixed-strings', 'line-number',
  'no-line-number', 'files-with-matches', 'files-without-match', 'count', 'count-matches', 'only-matching', 'with-filename',
  'no-filename', 'hidden', 'no-hidden', 'no-ignore', 'no-ignore-vcs', 'no-ignore-dot', 'no-ignore-parent', 'no-ignore-global',
  'no-ignore-exclude', 'no-ignore-files', 'no-messages', 'files', 'json', 'no-json', 'vimgrep', 'heading', 'no-heading', 'column',
  'no-column', 'follow', 'no-follow', 'text', 'no-text', 'null', 'null-data', 'quiet', 'multiline', 'no-multiline', 'multiline-dotall',
  'pcre2', 'no-pcre2', 'trim', 'no-trim', 'stats', 'no-stats', 'pretty', 'line-buffered', 'block-buffered', 'byte-offset', 'binary',
  'no-binary', 'no-config', 'unrestricted', 'type-list', 'one-file-system', 'crlf', 'no-crlf', 'passthru', 'include-zero',
  'no-unicode', 'debug', 'trace', 'glob-case-insensitive', 'no-require-git', 'max-columns-preview', 'no-pcre2-unicode',
  'ignore-file-case-insensitive', 'auto-hybrid-regex', 'sort-files', 'no-context-separator', 'search-zip', 'no-search-zip', ...HELP,
];
const RG_VALUES = [
  'regexp', 'file', 'glob', 'iglob', 'type', 'type-not', 'after-context', 'before-context', 'context', 'max-count', 'max-columns',
  'threads', 'encoding', 'replace', 'max-depth', 'maxdepth', 'max-filesize', 'sort', 'sortr', 'colors', 'type-add', 'type-clear',
  'ignore-file', 'context-separator', 'field-match-separator', 'field-context-separator', 'path-separator', 'dfa-size-limit',
  'regex-size-limit', 'engine', 'hyperlink-format', 'color', 'pre', 'pre-glob', 'hostname-bin',
];

function checkRg(scanned: ScannedOptions): AllowCheck {
  const globs = noCredentialGlobs('rg', scanned, ['-g', '--glob', '--iglob', '--type-add']);
  if (!globs.ok) return globs;
  const patternGiven = hasOption(scanned, '-e', '--regexp', '-f', '--file', '--files', '--type-list');
  if (hasOption(scanned, '--files')) return OK;
  return notOverHome('rg', scanned.operands.slice(patternGiven ? 0 : 1));
}

function checkDiff(scanned: ScannedOptions): AllowCheck {
  if (!hasOption(scanned, '-r', '--recursive')) return OK;
  // `--from-file=DIR` and `--to-file=DIR` name a tree to compare as much as an operand does.
  const trees = scanned.options.filter((o) => (o.name === '--from-file' || o.name === '--to-file') && o.value !== undefined).map((o) => o.value as string);
  return notOverHome('diff -r', [...scanned.operands, ...trees]);
}

/** `uniq INPUT OUTPUT` writes OUTPUT. */
function checkUniq(scanned: ScannedOptions): AllowCheck {
  return scanned.operands.length > 1 ? no(`\`uniq ${scanned.operands[0]} ${scanned.operands[1]}\` writes its output to \`${scanned.operands[1]}\``) : OK;
}

const CHECKSUM = { short: short('bctwz', 'a'), long: long(['binary', 'check', 'tag', 'text', 'zero', 'ignore-missing', 'quiet', 'status', 'strict', 'warn', 'untagged', 'base64', 'raw', ...HELP], ['algorithm', 'length']) };

export const TEXT_RULES: readonly AllowRule[] = [
  guarded(
    ['rg'],
    { short: short('isSwxvFnNlcoHIuaL0qUPhVpb', 'efgtTABCmMjErd'), long: long(RG_FLAGS, RG_VALUES) },
    { '--pre': 'runs a program on every file', '--pre-glob': 'runs the `--pre` program', '--hostname-bin': 'runs a program', '-z': 'runs decompression programs', '--search-zip': 'runs decompression programs' },
    { allow: ['rg TODO', 'rg -n "fn main" src', 'rg -i --type ts useState', 'rg -l foo -g "*.md"', 'rg --files', 'rg -C2 -e x -e y .', 'rg -uu secret_name src'], notAllow: ['rg --pre cat x', 'rg --pre=sh x', 'rg --pr=sh x', 'rg -z x', 'rg -g "*.env" KEY', "rg --type-add 'e:*.env' -t e KEY", 'rg KEY ~', 'rg x *', 'rg --frobnicate x'] },
    checkRg,
  ),
  guarded(
    ['sort'],
    { short: short('bdfgiMhnRrVcCmsuz', 'kotTS'), long: long(['ignore-leading-blanks', 'dictionary-order', 'ignore-case', 'general-numeric-sort', 'ignore-nonprinting', 'month-sort', 'human-numeric-sort', 'numeric-sort', 'random-sort', 'reverse', 'version-sort', 'merge', 'stable', 'unique', 'zero-terminated', 'debug', ...HELP], ['key', 'output', 'field-separator', 'temporary-directory', 'buffer-size', 'parallel', 'batch-size', 'files0-from', 'random-source', 'compress-program', 'sort'], ['check']) },
    { '-o': 'writes its output to a file', '--output': 'writes its output to a file', '--compress-program': 'runs a program', '--files0-from': 'reads the names of the files it reads from another file or standard input, out of sight of the credential check' },
    { allow: ['sort names.txt', 'sort -u a b', 'sort -t, -k2,2n data.csv', 'sort -rn', 'sort -- *'], notAllow: ['sort -o out.txt in.txt', 'sort -uo out in', 'sort --output=x y', 'sort --compress-program=sh x', 'sort *', 'sort --files0-from=-', 'sort --files0=list'] },
  ),
  { ...guarded(
    ['uniq'],
    { short: short('cdDiuz', 'fsw'), long: long(['count', 'repeated', 'ignore-case', 'unique', 'zero-terminated', ...HELP], ['skip-fields', 'skip-chars', 'check-chars'], ['all-repeated', 'group']), numeric: true },
    {},
    { allow: ['uniq', 'uniq -c', 'uniq -d sorted.txt'], notAllow: ['uniq in.txt out.txt', 'uniq *.txt', 'uniq --frob'] },
    checkUniq,
  ), globsOk: 'none' },
  readOnly(['cut'], { short: short('snz', 'bcdf'), long: long(['only-delimited', 'zero-terminated', 'complement', ...HELP], ['bytes', 'characters', 'delimiter', 'fields', 'output-delimiter']) }, ['cut -d: -f1 /etc/passwd', 'cut -c1-80 a.txt', 'cut -f 2 --complement x'], ['cut --frob x']),
  readOnly(['tr'], { short: short('cCdst'), long: long(['complement', 'delete', 'squeeze-repeats', 'truncate-set1', ...HELP]) }, ["tr a-z A-Z", "tr -d '\\r'", 'tr -s " "'], ['tr --frob']),
  readOnly(['nl'], { short: short('p', 'bdfhilnsvw'), long: long(['no-renumber', ...HELP], ['body-numbering', 'section-delimiter', 'footer-numbering', 'header-numbering', 'line-increment', 'join-blank-lines', 'number-format', 'number-separator', 'starting-line-number', 'number-width']) }, ['nl -ba src/a.ts', 'nl -nrz Cargo.toml'], ['nl --frob']),
  readOnly(['tac'], { short: short('br', 's'), long: long(['before', 'regex', ...HELP], ['separator']) }, ['tac log.txt'], ['tac -x']),
  readOnly(['rev'], { short: short('0'), long: long(['zero', ...HELP]) }, ['rev a.txt'], ['rev -x']),
  readOnly(['paste'], { short: short('sz', 'd'), long: long(['serial', 'zero-terminated', ...HELP], ['delimiters']) }, ['paste -sd, list.txt', 'paste a b'], ['paste -x']),
  readOnly(['column'], { short: short('tnxeLJdm', 'csoNRWEHOTlri'), long: long(['table', 'fillrows', 'keep-empty-lines', 'json', 'table-noheadings', 'table-noextreme', ...HELP], ['separator', 'output-separator', 'output-width', 'table-columns', 'table-right', 'table-truncate', 'table-hide', 'table-name', 'table-wrap', 'table-order', 'table-columns-limit']) }, ['column -t', 'column -t -s, data.csv'], ['column --frob']),
  readOnly(['comm'], { short: short('123z'), long: long(['check-order', 'nocheck-order', 'total', 'zero-terminated', ...HELP], ['output-delimiter']) }, ['comm -12 a.txt b.txt'], ['comm -x a b']),
  readOnly(['seq'], { short: short('w', 'fs'), long: long(['equal-width', ...HELP], ['format', 'separator']), numeric: true }, ['seq 10', 'seq 1 2 9', 'seq -w 1 10'], ['seq --frob']),
  readOnly(['basename'], { short: short('az', 's'), long: long(['multiple', 'zero', ...HELP], ['suffix']) }, ['basename /a/b.ts .ts', 'basename -s .ts a.ts b.ts'], ['basename --frob x']),
  readOnly(['dirname'], { short: short('z'), long: long(['zero', ...HELP]) }, ['dirname /a/b/c'], ['dirname -x a']),
  readOnly(['realpath'], { short: short('eqmLPsz'), long: long(['canonicalize-existing', 'canonicalize-missing', 'logical', 'physical', 'quiet', 'strip', 'no-symlinks', 'zero', ...HELP], ['relative-to', 'relative-base']) }, ['realpath .', 'realpath --relative-to=. src/a.ts'], ['realpath -x a']),
  readOnly(['readlink'], { short: short('femnqsvz'), long: long(['canonicalize', 'canonicalize-existing', 'canonicalize-missing', 'no-newline', 'quiet', 'silent', 'verbose', 'zero', ...HELP]) }, ['readlink -f node_modules/.bin/tsc'], ['readlink -x a']),
  readOnly(['stat'], { short: short('LftZ', 'c'), long: long(['dereference', 'file-system', 'terse', ...HELP], ['format', 'printf', 'cached']) }, ['stat package.json', "stat -c '%s %n' a b", 'stat -f .'], ['stat -x a', 'stat ~/.ssh/id_rsa']),
  guarded(
    ['file'],
    { short: short('bcdEhiklLnNprsSvz0ZC', 'eFfmP'), long: long(['brief', 'checking-printout', 'debug', 'dereference', 'no-dereference', 'keep-going', 'list', 'mime', 'mime-type', 'mime-encoding', 'no-buffer', 'no-pad', 'preserve-date', 'raw', 'special-files', 'uncompress', 'uncompress-noreport', 'print0', 'extension', 'apple', 'compile', ...HELP], ['exclude', 'exclude-quiet', 'separator', 'files-from', 'magic-file', 'parameter']) },
    { '-C': 'writes a compiled magic file', '--compile': 'writes a compiled magic file', '-p': 'changes the access times of what it reads', '--preserve-date': 'changes the access times of what it reads', '-z': 'runs decompression programs', '-Z': 'runs decompression programs', '--uncompress': 'runs decompression programs', '--uncompress-noreport': 'runs decompression programs' },
    { allow: ['file a.bin', 'file -b --mime-type logo.png', 'file src/*'], notAllow: ['file -C -m x', 'file -p a', 'file *', 'file -z a.gz'] },
  ),
  readOnly(['du'], { short: short('a0bcDHhkLlmPSsx', 'BdtX'), long: long(['all', 'apparent-size', 'bytes', 'total', 'dereference-args', 'human-readable', 'inodes', 'count-links', 'dereference', 'no-dereference', 'separate-dirs', 'si', 'summarize', 'one-file-system', 'null', ...HELP], ['block-size', 'max-depth', 'threshold', 'exclude', 'exclude-from', 'files0-from', 'time-style'], ['time']) }, ['du -sh *', 'du -sh .', 'du -h -d 1 node_modules', 'du -sh -- */'], ['du --frob']),
  readOnly(['df'], { short: short('ahHiklPTv', 'BtxF'), long: long(['all', 'human-readable', 'si', 'inodes', 'local', 'portability', 'print-type', 'total', 'sync', 'no-sync', ...HELP], ['block-size', 'type', 'exclude-type'], ['output']) }, ['df -h', 'df -h .'], ['df --frob']),
  guarded(
    ['diff'],
    {
      short: short('abBcdeEfiHlnNpPqrsStTuwyZ', 'CDFILSUWxX'),
      long: long(
        ['normal', 'brief', 'report-identical-files', 'ed', 'rcs', 'side-by-side', 'left-column', 'suppress-common-lines', 'show-c-function', 'expand-tabs', 'initial-tab', 'suppress-blank-empty', 'recursive', 'no-dereference', 'new-file', 'unidirectional-new-file', 'ignore-file-name-case', 'no-ignore-file-name-case', 'ignore-case', 'ignore-tab-expansion', 'ignore-trailing-space', 'ignore-space-change', 'ignore-all-space', 'ignore-blank-lines', 'text', 'strip-trailing-cr', 'minimal', 'speed-large-files', 'paginate', ...HELP],
        ['width', 'tabsize', 'label', 'show-function-line', 'exclude', 'exclude-from', 'starting-file', 'from-file', 'to-file', 'ignore-matching-lines', 'ifdef', 'line-format', 'old-line-format', 'new-line-format', 'unchanged-line-format', 'old-group-format', 'new-group-format', 'changed-group-format', 'unchanged-group-format', 'horizon-lines', 'palette'],
        ['context', 'unified', 'color'],
      ),
    },
    { '-l': 'runs its output through `pr`', '--paginate': 'runs its output through `pr`' },
    { allow: ['diff a.txt b.txt', 'diff -u old new', 'diff -ru src/a src/b', 'diff --to-file=base a b', 'diff -q x y'], notAllow: ['diff -l a b', 'diff --paginate a b', 'diff -r ~ backup', 'diff --frob a b', 'diff -r --from-file=/home/u .', 'diff -rN --to-file .. .'] },
    checkDiff,
  ),
  readOnly(['cmp'], { short: short('blsv', 'in'), long: long(['print-bytes', 'verbose', 'quiet', 'silent', ...HELP], ['ignore-initial', 'bytes']) }, ['cmp a.bin b.bin', 'cmp -s a b'], ['cmp -x a b']),
  guarded(
    ['tree'],
    {
      short: short('adlfxRqNQpugshDFvtcUriASnCXJ', 'LPIoHT'),
      long: long(['gitignore', 'ignore-case', 'matchdirs', 'metafirst', 'prune', 'info', 'noreport', 'si', 'du', 'inodes', 'device', 'dirsfirst', 'filesfirst', 'nolinks', 'fromfile', 'fromtabfile', 'fflinks', ...HELP], ['gitfile', 'infofile', 'charset', 'filelimit', 'timefmt', 'sort', 'hintro', 'houtro']),
    },
    { '-o': 'writes its output to a file', '-R': 'writes an `00Tree.html` into each directory' },
    { allow: ['tree', 'tree -L 2', 'tree -a -I node_modules src', 'tree --gitignore -d'], notAllow: ['tree -o out.txt', 'tree -RH . -o x', 'tree --frob'] },
  ),
  guarded(
    ['fd', 'fdfind'],
    {
      short: short('HIusigFalLp01qh', 'dteESoxXjcC'),
      long: long(['hidden', 'no-hidden', 'no-ignore', 'ignore', 'no-ignore-vcs', 'ignore-vcs', 'no-ignore-parent', 'no-global-ignore-file', 'unrestricted', 'case-sensitive', 'ignore-case', 'glob', 'regex', 'fixed-strings', 'and', 'absolute-path', 'relative-path', 'list-details', 'follow', 'no-follow', 'full-path', 'print0', 'prune', 'one-file-system', 'show-errors', 'quiet', 'no-require-git', ...HELP], ['max-depth', 'min-depth', 'exact-depth', 'type', 'extension', 'exclude', 'size', 'changed-within', 'changed-before', 'newer', 'older', 'owner', 'max-results', 'threads', 'color', 'base-directory', 'path-separator', 'search-path', 'format', 'ignore-file', 'exec', 'exec-batch', 'batch-size'], ['strip-cwd-prefix', 'hyperlink']),
    },
    { '-x': 'runs a command for every result', '--exec': 'runs a command for every result', '-X': 'runs a command on the results', '--exec-batch': 'runs a command on the results', '-l': 'runs `ls` on the results', '--list-details': 'runs `ls` on the results' },
    { allow: ['fd', 'fd -e ts', 'fd -H -t f config', 'fd --type d --max-depth 2'], notAllow: ['fd -x rm', 'fd -e ts -X sed -i s/a/b/', 'fd --exec=rm x', 'fd -l', 'fd --frob'] },
  ),
  readOnly(['md5sum', 'sha1sum', 'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'b2sum', 'cksum'], CHECKSUM, ['sha256sum dist/app.tar.gz', 'md5sum -c sums.txt'], ['sha256sum --frob x']),
  readOnly(['base64'], { short: short('di', 'w'), long: long(['decode', 'ignore-garbage', ...HELP], ['wrap']) }, ['base64 -d blob.txt', 'base64 -w0 a.png'], ['base64 -o out in']),
  readOnly(['sleep'], { long: long(HELP) }, ['sleep 2', 'sleep 0.5'], ['sleep -x']),
  readOnly(['id'], { short: short('agGnruzZ'), long: long(['group', 'groups', 'name', 'real', 'user', 'zero', 'context', ...HELP]) }, ['id', 'id -un'], ['id -x']),
];
