import { describe, expect, it } from 'vitest';
import { checkSyntax } from '../../../src-main/core/runner/syntaxCheck.js';
import { splitShellCommands, type SplitResult } from '../../../src-main/core/intake/shellSplitter.js';
import { splitLines } from '../../../src-main/core/intake/textLines.js';

/** The split of a block, as `[line, command]` pairs and notes (offsets follow from the lines). */
function split(text: string): { commands: Array<[number, string]>; notes: string[] } {
  const result: SplitResult = splitShellCommands(splitLines(text).lines);
  return { commands: result.commands.map((c) => [c.line, c.text]), notes: result.notes.map((n) => n.message) };
}

const lines = (...parts: string[]): string => parts.join('\n');

describe('splitting shell text into commands', () => {
  it.each<[string, string, Array<[number, string]>]>([
    ['one command per line', lines('ls -la', 'pwd', 'whoami'), [[1, 'ls -la'], [2, 'pwd'], [3, 'whoami']]],
    ['blank and comment-only lines are dropped', lines('#!/bin/bash', '', '# list', 'ls', '   ', '  # more', 'pwd'), [[4, 'ls'], [7, 'pwd']]],
    ['a trailing comment stays with its command', lines("ls # don't worry", 'pwd'), [[1, "ls # don't worry"], [2, 'pwd']]],
    ['the same command twice is two commands', lines('ls', 'ls'), [[1, 'ls'], [2, 'ls']]],
    ['a line continuation joins lines', lines('docker run \\', '  --rm \\', '  alpine', 'ls'), [[1, 'docker run \\\n  --rm \\\n  alpine'], [4, 'ls']]],
    ['an escaped backslash at the end is not a continuation', lines('echo a\\\\', 'ls'), [[1, 'echo a\\\\'], [2, 'ls']]],
    ['a here-document keeps its body', lines('cat > .env <<EOF', 'A=1', 'ls', 'EOF', 'pwd'), [[1, 'cat > .env <<EOF\nA=1\nls\nEOF'], [5, 'pwd']]],
    ["a quoted here-document delimiter", lines("cat <<'END' > x.sh", 'echo $HOME', 'END', 'ls'), [[1, "cat <<'END' > x.sh\necho $HOME\nEND"], [4, 'ls']]],
    ['a double-quoted delimiter', lines('cat <<"EOF"', "it's", 'EOF', 'ls'), [[1, 'cat <<"EOF"\nit\'s\nEOF'], [4, 'ls']]],
    ['`<<-` ends at a tab-indented delimiter', lines('cat <<-EOF', '\tbody', '\tEOF', 'ls'), [[1, 'cat <<-EOF\n\tbody\n\tEOF'], [4, 'ls']]],
    ['a here-document body with blank lines and comments', lines('cat <<EOF', '', '# not a comment', 'EOF'), [[1, 'cat <<EOF\n\n# not a comment\nEOF']]],
    ['two here-documents on one line', lines('paste <<A <<B', '1', 'A', '2', 'B', 'ls'), [[1, 'paste <<A <<B\n1\nA\n2\nB'], [6, 'ls']]],
    ['a here-string is not a here-document', lines('grep x <<< "$text"', 'ls'), [[1, 'grep x <<< "$text"'], [2, 'ls']]],
    ['a shift inside arithmetic is not a here-document', lines('echo $(( 1 << 2 ))', 'ls'), [[1, 'echo $(( 1 << 2 ))'], [2, 'ls']]],
    ['a here-document piped on', lines('cat <<EOF | grep a', 'abc', 'EOF', 'ls'), [[1, 'cat <<EOF | grep a\nabc\nEOF'], [4, 'ls']]],
    ['a double quote spanning lines', lines('echo "hello', 'world"', 'ls'), [[1, 'echo "hello\nworld"'], [3, 'ls']]],
    ['a single quote spanning lines', lines("python3 -c 'import sys", "print(sys.argv)'", 'ls'), [[1, "python3 -c 'import sys\nprint(sys.argv)'"], [3, 'ls']]],
    ['an apostrophe inside double quotes', lines('git commit -m "it\'s done"', 'git push'), [[1, 'git commit -m "it\'s done"'], [2, 'git push']]],
    ['an escaped quote does not open a string', lines("echo it\\'s", 'ls'), [[1, "echo it\\'s"], [2, 'ls']]],
    ['if … fi', lines('if [ -f x ]; then', '  echo yes', 'else', '  echo no', 'fi', 'ls'), [[1, 'if [ -f x ]; then\n  echo yes\nelse\n  echo no\nfi'], [6, 'ls']]],
    ['for … done', lines('for f in *.txt; do', '  wc -l "$f"', 'done', 'ls'), [[1, 'for f in *.txt; do\n  wc -l "$f"\ndone'], [4, 'ls']]],
    ['while … done with do on its own line', lines('while read -r line', 'do', '  echo "$line"', 'done < list.txt'), [[1, 'while read -r line\ndo\n  echo "$line"\ndone < list.txt']]],
    ['nested loops and conditions', lines('for a in 1 2; do', '  if [ "$a" = 1 ]; then', '    for b in x; do echo $b; done', '  fi', 'done', 'pwd'), [[1, 'for a in 1 2; do\n  if [ "$a" = 1 ]; then\n    for b in x; do echo $b; done\n  fi\ndone'], [6, 'pwd']]],
    ['a one-line loop is one command', lines('for i in 1 2; do echo $i; done', 'ls'), [[1, 'for i in 1 2; do echo $i; done'], [2, 'ls']]],
    ['case … esac', lines('case "$1" in', '  start) echo go ;;', '  stop|halt)', '    echo stop', '    ;;', '  *) echo "?" ;;', 'esac', 'ls'), [[1, 'case "$1" in\n  start) echo go ;;\n  stop|halt)\n    echo stop\n    ;;\n  *) echo "?" ;;\nesac'], [8, 'ls']]],
    ['a brace group', lines('{', '  echo a', '  echo b', '} > out.txt', 'ls'), [[1, '{\n  echo a\n  echo b\n} > out.txt'], [5, 'ls']]],
    ['a subshell', lines('(', '  cd build', '  make', ')', 'ls'), [[1, '(\n  cd build\n  make\n)'], [5, 'ls']]],
    ['a function with its body on the same line', lines('greet() {', '  echo "hi $1"', '}', 'greet you'), [[1, 'greet() {\n  echo "hi $1"\n}'], [4, 'greet you']]],
    ['a function with its brace on the next line', lines('greet()', '{', '  echo hi', '}', 'greet'), [[1, 'greet()\n{\n  echo hi\n}'], [5, 'greet']]],
    ['a function declared with `function`', lines('function greet {', '  echo hi', '}', 'greet'), [[1, 'function greet {\n  echo hi\n}'], [4, 'greet']]],
    ['a command substitution spanning lines', lines('files=$(', '  ls', ')', 'echo "$files"'), [[1, 'files=$(\n  ls\n)'], [4, 'echo "$files"']]],
    ['an empty command substitution is not a function header', lines('echo $()', 'ls'), [[1, 'echo $()'], [2, 'ls']]],
    ['an array spanning lines', lines('args=(', '  --verbose', ')', 'ls'), [[1, 'args=(\n  --verbose\n)'], [4, 'ls']]],
    ['an empty array is complete', lines('args=()', 'ls'), [[1, 'args=()'], [2, 'ls']]],
    ['a pipe at the end continues the command', lines('ls |', '  grep ts |', '', '  wc -l', 'pwd'), [[1, 'ls |\n  grep ts |\n\n  wc -l'], [5, 'pwd']]],
    ['`&&` at the end continues the command', lines('make &&', '  make install', 'pwd'), [[1, 'make &&\n  make install'], [3, 'pwd']]],
    ['a background job ends the command', lines('sleep 5 &', 'ls'), [[1, 'sleep 5 &'], [2, 'ls']]],
    ['braces inside words are not groups', lines('echo {a,b}', 'find . -exec rm {} \\;', 'echo ${HOME}', 'ls'), [[1, 'echo {a,b}'], [2, 'find . -exec rm {} \\;'], [3, 'echo ${HOME}'], [4, 'ls']]],
    ['reserved words as arguments are just words', lines('echo if then fi done', 'ls'), [[1, 'echo if then fi done'], [2, 'ls']]],
    ['a case inside a command substitution', lines('x=$(case a in', '  a) echo 1 ;;', 'esac)', 'ls'), [[1, 'x=$(case a in\n  a) echo 1 ;;\nesac)'], [4, 'ls']]],
    ['arithmetic commands and for loops', lines('for ((i = 0; i < 3; i++)); do', '  (( n += i ))', 'done', 'ls'), [[1, 'for ((i = 0; i < 3; i++)); do\n  (( n += i ))\ndone'], [4, 'ls']]],
    ['a quote inside a comment does not open a string', lines("# it's fine", 'ls', "pwd # don't"), [[2, 'ls'], [3, "pwd # don't"]]],
    ['a `#` inside a word is not a comment', lines('echo a#b "it\'s"', 'ls'), [[1, 'echo a#b "it\'s"'], [2, 'ls']]],
    ['trailing blank lines are not part of the command', lines('ls', '', ''), [[1, 'ls']]],
    ['a `$` before a closing double quote is just a dollar sign', lines('echo "costs 5$"', "echo \"it's $'x'\"", 'ls'), [[1, 'echo "costs 5$"'], [2, "echo \"it's $'x'\""], [3, 'ls']]],
    ['`$"…"` and `$\'…\'` quotes in code', lines('echo $"line', 'two"', "echo $'a\\'b'", 'ls'), [[1, 'echo $"line\ntwo"'], [3, "echo $'a\\'b'"], [4, 'ls']]],
    ['words named like object properties are ordinary words', lines('constructor', 'toString', '__proto__', 'ls'), [[1, 'constructor'], [2, 'toString'], [3, '__proto__'], [4, 'ls']]],
    ['leading indentation and trailing spaces are kept', lines('  ls -la  ', 'pwd'), [[1, '  ls -la  '], [2, 'pwd']]],
  ])('%s', (_name, text, commands) => {
    expect(split(text)).toEqual({ commands, notes: [] });
  });

  it.each<[string, string, Array<[number, string]>, string]>([
    ['a here-document that never ends', lines('ls', 'cat <<EOF', 'body', 'EOF ', 'pwd', ''), [[1, 'ls'], [2, 'cat <<EOF\nbody\nEOF \npwd']], 'here-document `EOF` is never closed'],
    ['an unbalanced quote', lines("echo it's", 'ls'), [[1, "echo it's\nls"]], "a single quote (') is never closed"],
    ['an if without fi', lines('if true; then', '  ls'), [[1, 'if true; then\n  ls']], '`if` (no `fi`) is never closed'],
    ['a continuation on the last line', lines('ls \\'), [[1, 'ls \\']], 'ends with a line continuation (\\)'],
    ['a pipe on the last line', lines('ls |'), [[1, 'ls |']], 'ends with `|`'],
  ])('%s keeps the rest together, with a note', (_name, text, commands, why) => {
    expect(split(text)).toEqual({ commands, notes: [`the command starting here ${why}; everything after it was kept as part of it`] });
  });

  it('splits a realistic setup script into commands that each parse on their own', async () => {
    const script = lines(
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      '',
      '# Install dependencies',
      'sudo apt-get update && \\',
      '  sudo apt-get install -y \\',
      '    build-essential curl',
      'mkdir -p ~/.config/app',
      "cat > ~/.config/app/config.toml <<'EOF'",
      '[server]',
      'port = 8080 # "quoted" and it\'s fine',
      'EOF',
      'if ! command -v node >/dev/null; then',
      '  curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -',
      'fi',
      'for svc in api worker; do',
      '  systemctl --user restart "app-$svc"',
      'done',
      'cleanup() {',
      '  rm -rf "${TMPDIR:-/tmp}/app-build"',
      '}',
      'trap cleanup EXIT',
      'result=$(curl -s localhost:8080/health |',
      '  jq -r .status)',
      'echo "status: $result"',
    );
    const { commands, notes } = split(script);
    expect(notes).toEqual([]);
    expect(commands.map(([line]) => line)).toEqual([2, 5, 8, 9, 13, 16, 19, 22, 23, 25]);
    const checks = await Promise.all(commands.map(([, command]) => checkSyntax(command)));
    expect(checks).toEqual(commands.map(() => ({ ok: true })));
  });
});
