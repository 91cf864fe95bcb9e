import { HELP, no, OK, type AllowCheck, type AllowRule } from './allowRule.js';
import type { Arg } from './model.js';
import { hasOption, longOptions as long, scanOptions, shortOptions as short, type OptionSpec } from './options.js';

/**
 * Tools that run a small program of their own: `sed`, `awk`, `jq`. The options are read as each
 * tool's getopt reads them, and the program itself is read too: a sed script may write files
 * (`w`, `s///w`), run commands (`e`, `s///e`) or read other files (`r`); an awk program may run
 * commands (`system`, pipes, `getline`), write files (`print > f`) or read the environment; a
 * jq filter may read the environment. Only programs Leash can read completely, and that do none
 * of that, are allowed.
 */

const SED: OptionSpec = {
  short: short('nErsuzl', 'ef', 'i'),
  long: long(['quiet', 'silent', 'regexp-extended', 'separate', 'unbuffered', 'null-data', 'posix', 'sandbox', 'debug', 'follow-symlinks', ...HELP], ['expression', 'file', 'line-length'], ['in-place']),
};

/** sed commands that only print or change the pattern space (no file names, no programs). */
const SED_SIMPLE = new Set(['=', 'd', 'D', 'g', 'G', 'h', 'H', 'l', 'n', 'N', 'p', 'P', 'x', 'z', 'F', 'q', 'Q', '{', '}']);
const SED_TEXT = new Set(['a', 'i', 'c']);
const SED_LABEL = new Set([':', 'b', 't', 'T']);
const SED_FORBIDDEN: Record<string, string> = { w: 'writes a file', W: 'writes a file', e: 'runs a command', r: 'reads another file', R: 'reads another file', v: '' };

/** Reads one `s`/`y` part delimited by `delimiter` from `i`; returns the index after its closing delimiter. */
function delimited(script: string, i: number, delimiter: string): number | undefined {
  for (let k = i; k < script.length; k++) {
    const char = script[k];
    if (char === '\\') k++;
    else if (char === delimiter) return k + 1;
    else if (char === '\n') return undefined;
  }
  return undefined;
}

/** Skips an address (`12`, `$`, `/re/I`, `\%re%`, `1~2`, `0`) from `i`; undefined when malformed. */
function address(script: string, i: number): number | undefined {
  const number = /^\d+(~\d+)?/.exec(script.slice(i));
  if (number) return i + number[0].length;
  if (script[i] === '$') return i + 1;
  if (script[i] === '/' || script[i] === '\\') {
    const delimiter = script[i] === '\\' ? script[i + 1] : '/';
    if (delimiter === undefined || delimiter === '\n') return undefined;
    let end = delimited(script, i + (script[i] === '\\' ? 2 : 1), delimiter);
    while (end !== undefined && (script[end] === 'I' || script[end] === 'M')) end++;
    return end;
  }
  return i;
}

/** Why a sed script is not plainly read-only, or undefined when it is. */
export function sedScriptProblem(script: string): string | undefined {
  let i = 0;
  while (i < script.length) {
    while (i < script.length && /[\s;]/.test(script[i] as string)) i++;
    if (i >= script.length) break;
    if (script[i] === '#') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? script.length : end + 1;
      continue;
    }
    const first = address(script, i);
    if (first === undefined) return 'Leash cannot read an address in this sed script';
    i = first;
    if (script[i] === ',') {
      i++;
      const second = /^[+~]\d+/.test(script.slice(i)) ? i + (/^[+~]\d+/.exec(script.slice(i)) as RegExpExecArray)[0].length : address(script, i);
      if (second === undefined || second === i) return 'Leash cannot read an address range in this sed script';
      i = second;
    }
    while (script[i] === ' ' || script[i] === '!') i++;
    const command = script[i];
    if (command === undefined) return 'the sed script ends after an address';
    i++;
    if (SED_SIMPLE.has(command)) {
      if (command === 'q' || command === 'Q' || command === 'l') while (/\d/.test(script[i] ?? '')) i++;
      continue;
    }
    if (SED_TEXT.has(command)) {
      // Text runs to the end of the line, and on over backslash-newlines.
      while (i < script.length && script[i] !== '\n') i += script[i] === '\\' ? 2 : 1;
      continue;
    }
    if (SED_LABEL.has(command)) {
      // GNU sed skips blanks before a label and ends it at a blank, `;` or newline (`:a;N;$!ba`):
      // `:x w out` is a label and a `w` command (whose file sed opens while compiling the script).
      while (script[i] === ' ' || script[i] === '\t') i++;
      while (i < script.length && !/[\s;]/.test(script[i] as string)) i++;
      continue;
    }
    if (command === 's' || command === 'y') {
      const delimiter = script[i];
      if (delimiter === undefined || delimiter === '\n' || delimiter === '\\') return `Leash cannot read the \`${command}\` command's delimiter`;
      const middle = delimited(script, i + 1, delimiter);
      const end = middle === undefined ? undefined : delimited(script, middle, delimiter);
      if (end === undefined) return `Leash cannot read a \`${command}\` command in this sed script`;
      i = end;
      if (command === 's') {
        const flags = /^[gpiImM\d]*/.exec(script.slice(i))?.[0] ?? '';
        i += flags.length;
        if (script[i] === 'w' || script[i] === 'e') return `the \`s///${script[i]}\` flag ${script[i] === 'w' ? 'writes a file' : 'runs the pattern space as a command'}`;
      }
      continue;
    }
    if (Object.hasOwn(SED_FORBIDDEN, command)) return `the sed command \`${command}\` ${SED_FORBIDDEN[command] || 'is not one Leash reads'}`;
    return `Leash does not know the sed command \`${command}\``;
  }
  return undefined;
}

function checkSed(args: readonly Arg[]): AllowCheck {
  const scanned = scanOptions(args.map((a) => a.value), SED);
  if (scanned.unknown.length > 0) return no(`Leash does not know the option \`${scanned.unknown[0]}\``);
  if (hasOption(scanned, '-i', '--in-place')) return no('`sed -i` edits files in place');
  if (hasOption(scanned, '-f', '--file')) return no('`sed -f` runs a script from a file Leash does not read');
  const expressions = scanned.options.filter((o) => o.name === '-e' || o.name === '--expression').map((o) => o.value ?? '');
  const scripts = expressions.length > 0 ? expressions : scanned.operands.slice(0, 1);
  if (scripts.length === 0) return no('`sed` without a script is an error');
  const problem = sedScriptProblem(scripts.join('\n'));
  return problem ? no(problem) : OK;
}

const AWK: OptionSpec = {
  short: short('bcnOPrstSV', 'Fvfeil'),
  long: long(['characters-as-bytes', 'traditional', 'posix', 're-interval', 'sandbox', 'lint', 'optimize', 'no-optimize', ...HELP], ['field-separator', 'assign', 'file', 'source', 'include', 'load']),
};

/**
 * Words in an awk program that run commands, read commands' output or the environment, or
 * choose the files awk reads (`ARGV[1] = "…"` names a file out of sight of the credential check).
 */
const AWK_FORBIDDEN = /\b(system|getline|ENVIRON|PROCINFO|ARGV)\b/;

/** Keywords after which awk reads an expression, so a `/` there starts a regular expression. */
const AWK_BEFORE_EXPRESSION = /\b(print|printf|return|in|else|do|case|exit)$/;

/** Thrown (and turned into a refusal) where awks differ on whether `/` starts a regex. */
class AmbiguousSlash extends Error {}

/**
 * The program with string literals and regular-expression literals blanked out, or undefined if
 * they do not end. Throws AmbiguousSlash where awk implementations (or awk and this reader)
 * disagree on whether `/` divides or starts a regular expression: after a postfix `++`/`--`
 * (`a++ / 2 …`) and after the condition of `if`/`while`/`for`/`switch` (mawk divides, gawk reads
 * a regex statement). A wrong guess there hides code inside a "regex" or behind a `#` comment.
 */
function awkCode(program: string): string | undefined {
  let out = '';
  let previous = '';
  /** For each open `(`: whether it opens the condition of a control statement. */
  const parens: boolean[] = [];
  let afterCondition = false;
  for (let i = 0; i < program.length; i++) {
    const char = program[i] as string;
    if (char === '/') {
      const before = out.trimEnd();
      if (afterCondition || /(\+\+|--)$/.test(before)) throw new AmbiguousSlash();
    }
    // A `/` starts a regular expression where an operand is expected (as awk's lexer decides).
    const regexHere = char === '/' && (previous === '' || /[(,{};!~&|=<>+\-*%^?:\n]$/.test(previous) || AWK_BEFORE_EXPRESSION.test(out.trimEnd()));
    if (char === '"' || regexHere) {
      let k = i + 1;
      for (; k < program.length && program[k] !== char; k++) {
        if (program[k] === '\\') k++;
        if (program[k] === '\n') return undefined;
      }
      if (k >= program.length) return undefined;
      out += ' 0 ';
      i = k;
      previous = '0';
      afterCondition = false;
      continue;
    }
    if (char === '#') {
      const end = program.indexOf('\n', i);
      i = end === -1 ? program.length : end - 1;
      continue;
    }
    if (char === '(') parens.push(/\b(if|while|for|switch)\s*$/.test(out.slice(-16)));
    out += char;
    if (!/\s/.test(char)) {
      afterCondition = char === ')' && parens.pop() === true;
      previous = out.trimEnd();
    }
  }
  return out;
}

/** Why an awk program is not plainly read-only, or undefined when it is. */
export function awkProgramProblem(program: string): string | undefined {
  const forbidden = AWK_FORBIDDEN.exec(program);
  if (forbidden) return `the awk program uses \`${forbidden[0]}\`, which can run commands, read the environment, load code or choose the files awk reads`;
  let code: string | undefined;
  try {
    code = awkCode(program);
  } catch (error) {
    if (error instanceof AmbiguousSlash) return 'Leash cannot tell whether a `/` in this awk program divides or starts a regular expression (awks differ there)';
    throw error;
  }
  if (code === undefined) return 'Leash cannot read this awk program (a string or regular expression does not end)';
  if (code.includes('@')) return 'the awk program uses an `@` directive, which can load code';
  if (/(^|[^|])\|(?!\|)/.test(code)) return 'the awk program pipes to or from a command (`|`)';
  // `>` after `print`/`printf` at bracket depth 0 of its statement redirects the output to a file.
  for (const statement of code.split(/[;{}\n]/)) {
    const at = statement.search(/\bprintf?\b/);
    if (at === -1) continue;
    let depth = 0;
    for (const char of statement.slice(at)) {
      if (char === '(' || char === '[') depth++;
      else if (char === ')' || char === ']') depth--;
      else if (char === '>' && depth <= 0) return 'the awk program writes its output to a file (`print > …`)';
    }
  }
  return undefined;
}

function checkAwk(args: readonly Arg[]): AllowCheck {
  const scanned = scanOptions(args.map((a) => a.value), { ...AWK, stopAtOperand: true });
  if (scanned.unknown.length > 0) return no(`Leash does not know the option \`${scanned.unknown[0]}\``);
  const loads = scanned.options.find((o) => ['-f', '--file', '-i', '--include', '-l', '--load'].includes(o.name));
  if (loads) return no(`\`awk ${loads.name}\` runs code from a file Leash does not read`);
  const sources = scanned.options.filter((o) => o.name === '-e' || o.name === '--source').map((o) => o.value ?? '');
  const programs = sources.length > 0 ? sources : scanned.operands.slice(0, 1);
  if (programs.length === 0) return no('`awk` without a program is an error');
  for (const program of programs) {
    const problem = awkProgramProblem(program);
    if (problem) return no(problem);
  }
  return OK;
}

/** jq options, with the two that take two values (`--arg NAME VALUE`) handled apart. */
const JQ: OptionSpec = {
  short: short('rcnsejaSCMRh0V', 'fL'),
  long: long(['raw-output', 'raw-output0', 'compact-output', 'null-input', 'slurp', 'exit-status', 'join-output', 'ascii-output', 'sort-keys', 'color-output', 'monochrome-output', 'raw-input', 'tab', 'seq', 'stream', 'stream-errors', 'unbuffered', 'args', 'jsonargs', 'binary', ...HELP], ['from-file', 'indent']),
};
const JQ_TWO_VALUES = new Set(['--arg', '--argjson', '--slurpfile', '--rawfile']);

function checkJq(args: readonly Arg[]): AllowCheck {
  const values: string[] = [];
  const words = args.map((a) => a.value);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (JQ_TWO_VALUES.has(word)) {
      if (i + 2 >= words.length) return no(`\`jq ${word}\` needs a name and a value`);
      i += 2;
      continue;
    }
    values.push(word);
  }
  const scanned = scanOptions(values, JQ);
  if (scanned.unknown.length > 0) return no(`Leash does not know the option \`${scanned.unknown[0]}\``);
  const fromFile = hasOption(scanned, '-f', '--from-file');
  const filter = fromFile ? undefined : scanned.operands[0];
  // jq reads `$` and the name as two tokens: `$ ENV` and `$ # comment⏎ENV` are `$ENV`.
  if (filter !== undefined && /\$(\s|#[^\n]*)*ENV\b|\benv\b/.test(filter)) return no('the jq filter reads the environment (`env`, `$ENV`), where secrets live');
  // `import "path" as $x;` reads a JSON file from the module search path (`-L`, `~/.jq`, relative
  // paths climb out of it); `include` and `modulemeta` read modules the same way.
  if (filter !== undefined && /\b(import|include|modulemeta)\b/.test(filter)) return no('the jq filter loads modules or data files from its search path (`import`, `include`, `modulemeta`), files Leash does not see');
  if (fromFile) return no('`jq -f` runs a filter from a file Leash does not read');
  return OK;
}

export const SCRIPT_RULES: readonly AllowRule[] = [
  {
    name: 'sed',
    programs: ['sed'],
    summary: 'only prints: its script neither writes, runs nor reads other files',
    globsOk: 'operands',
    check: checkSed,
    examples: {
      allow: ['sed -n 1,5p file.txt', "sed -n '10,20p' src/a.ts", "sed 's/foo/bar/g' a.txt", "sed -n '/start/,/end/p' x", "sed -e 's/a/b/' -e '3q' f", "sed -n '$p' f", "sed '/^#/d;s/ *$//' f", "sed -E 's#/#\\\\#g' f"],
      notAllow: ['sed -i s/a/b/ f', 'sed -ni p f', "sed --in-place 's/a/b/' f", "sed 's/a/b/w out' f", "sed 's/x/id/e' f", "sed '1e id' f", "sed 'w out' f", "sed '1r /etc/shadow' f", 'sed -f script.sed f', "sed -n 1p *", "sed --frob p f", "sed -n ':x w out' f", "sed 'b end w out' f"],
    },
  },
  {
    name: 'awk',
    programs: ['awk', 'gawk', 'mawk'],
    summary: 'only prints: its program neither runs commands, writes files nor reads the environment',
    globsOk: 'operands',
    check: checkAwk,
    examples: {
      allow: ["awk '{print $1}' a.txt", "awk -F: '{print $1}' /etc/passwd", "awk 'NR>=10 && NR<=20' f", "awk '$3 > 100 {print $1, $3}' data", "awk '/a|b/ {n++} END {print n}' f", "awk 'length($0) > 80' src/a.ts", "awk '{ printf \"%s\\n\", ($1 > 2 ? \"big\" : \"small\") }' f"],
      notAllow: ["awk 'BEGIN{system(\"id\")}'", "awk '{print | \"sh\"}' f", "awk '{\"date\" | getline d}' f", "awk '{print > \"out\"}' f", "awk '{print $1 >> \"log\"}' f", "awk 'BEGIN{print ENVIRON[\"TOKEN\"]}'", 'awk -f prog.awk f', "awk '@load \"x\"'", "awk '{print}' *", "awk '{ if (0) x=1; else /#/; print > \"o\" }' f", "awk '{ a++ / 2; print > \"o\" }' f", "awk 'BEGIN { ARGV[1] = \"f\" } 1'"],
    },
  },
  {
    name: 'jq',
    programs: ['jq'],
    summary: 'only prints: its filter does not read the environment',
    globsOk: true,
    check: checkJq,
    examples: {
      allow: ['jq . package.json', "jq -r '.scripts | keys[]' package.json", "jq --arg n x '.[$n]' a.json", 'jq -s length a.json b.json', "jq -c '.items[] | {id, name}' data.json"],
      notAllow: ["jq -n env", "jq -n '$ENV.TOKEN'", "jq -n '$ ENV.TOKEN'", "jq -n -L ~ 'import \".docker/config\" as $c; $c'", "jq -n 'include \"x\"; .'", 'jq -f filter.jq a.json', 'jq --frob . a'],
    },
  },
];
