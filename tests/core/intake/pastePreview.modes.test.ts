import { beforeAll, describe, expect, it } from 'vitest';
import { findStateLosses, previewPaste, type PreviewResult, type PreviewTools, type StateKind } from '../../../src-main/core/intake/index.js';
import { createBashParser, createPolicyEngine, type BashParser } from '../../../src-main/core/policy/index.js';
import { F, lines } from './calls.js';

let tools: PreviewTools;
let parser: BashParser;
beforeAll(async () => {
  parser = await createBashParser();
  tools = { engine: await createPolicyEngine(), parser };
});

const SETTINGS = { allowPatterns: [], maxBatchSize: 10 };
type Preview = Extract<PreviewResult, { ok: true }>;

function preview(text: string): Preview {
  const result = previewPaste(text, tools, SETTINGS);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result;
}

const AI_ANSWER = lines(
  'Sure — to check the branch, run this from your home directory:',
  '',
  `${F}bash`,
  '$ cd ~/code/app',
  '$ export NODE_ENV=test',
  '$ git status --short',
  F,
  '',
  'If it prints nothing, the tree is clean.',
);

describe('a pasted block as one script or as separate entries', () => {
  it('offers both and starts with one script for a fenced block', () => {
    const result = preview(AI_ANSWER);
    expect(result.choice).toBe(true);
    expect(result.mode).toBe('script');
    expect(result.modes.script.entries.map((e) => [e.command, e.line, e.lines, e.commandCount])).toEqual([
      ['cd ~/code/app\nexport NODE_ENV=test\ngit status --short', 4, [4, 5, 6], 3],
    ]);
    expect(result.modes.separate.entries.map((e) => e.command)).toEqual(['cd ~/code/app', 'export NODE_ENV=test', 'git status --short']);
  });

  it('judges the one script as a whole with the real policy engine', () => {
    const [script] = preview(AI_ANSWER).modes.script.entries;
    expect(script?.classification).toEqual(tools.engine.classify({ tool: 'shell', command: 'cd ~/code/app\nexport NODE_ENV=test\ngit status --short' }, SETTINGS));
    expect(script?.classification.verdict).toBe('ask');
    expect(script?.classification.reasons.map((r) => r.code)).toEqual(['SHELL_STATE_CHANGE', 'SHELL_STATE_CHANGE', 'ALLOWED_COMMAND']);
  });

  it('lets nothing dangerous hide inside a script: one denied line denies the whole script', () => {
    const result = preview(lines(`${F}sh`, 'cd /tmp/build', 'ls -la', 'rm -rf /', F));
    expect(result.modes.script.entries.map((e) => e.classification.verdict)).toEqual(['deny']);
    expect(result.modes.separate.entries.map((e) => e.classification.verdict)).toEqual(['ask', 'allow', 'deny']);
  });

  it('warns, naming the lines, what separate entries would lose', () => {
    const result = preview(AI_ANSWER);
    expect(result.modes.separate.losses.map((loss) => loss.message)).toEqual([
      "line 4: `cd ~/code/app` changes the directory; as separate entries, the commands after it (from line 5 `export NODE_ENV=test`) would run in the batch's directory instead",
      'line 5: `export NODE_ENV=test` sets an environment variable that the commands after it (from line 6 `git status --short`) would not see as separate entries',
    ]);
    expect(result.modes.script.losses).toEqual([]);
  });

  it('warns in script mode too when a later block depends on an earlier one', () => {
    const answer = lines('First:', `${F}bash`, 'cd ~/code/app', 'git fetch', F, 'Then:', `${F}bash`, 'git status', F);
    const result = preview(answer);
    expect(result.modes.script.entries.map((e) => e.command)).toEqual(['cd ~/code/app\ngit fetch', 'git status']);
    expect(result.modes.script.losses.map((loss) => [loss.line, loss.kind, loss.usedBy.line])).toEqual([[3, 'directory', 8]]);
  });

  it('keeps typed one-per-line commands as separate entries unless they depend on each other', () => {
    const independent = preview(lines('git status', 'npm test'));
    expect([independent.choice, independent.mode, independent.modes.separate.losses]).toEqual([true, 'separate', []]);
    const dependent = preview(lines('cd repo', 'git status'));
    expect(dependent.mode).toBe('script');
    expect(dependent.modes.script.entries.map((e) => e.command)).toEqual(['cd repo\ngit status']);
  });

  it('offers no choice for single commands and JSON tool calls', () => {
    const result = preview(lines('{"tool": "shell", "command": "cd repo"}', '{"tool": "shell", "command": "ls"}'));
    expect([result.choice, result.mode]).toEqual([false, 'separate']);
    expect(result.modes.script.entries).toEqual(result.modes.separate.entries);
    expect(result.modes.separate.losses.map((loss) => loss.kind)).toEqual(['directory']);
  });

  it('one script fits a block with more commands than a batch holds', () => {
    const block = lines(`${F}bash`, ...Array.from({ length: 12 }, (_, i) => `echo ${i + 1}`), F);
    const result = preview(block);
    expect([result.modes.script.entries.length, result.modes.script.tooMany, result.modes.separate.tooMany]).toEqual([1, false, true]);
  });

  it('keeps the comments of a block in its script and the removed prompts in the marks', () => {
    const result = preview(lines(`${F}console`, '$ # build first', '$ make', 'cc -o app main.c', '$ ./app', F));
    expect(result.modes.script.entries.map((e) => e.command)).toEqual(['# build first\nmake\n./app']);
    expect(result.marks.map((mark) => [mark.line, mark.kind])).toEqual([[2, 'prompt'], [3, 'prompt'], [4, 'output'], [5, 'prompt']]);
  });
});

describe('what separate shells lose', () => {
  /** Entries pasted one after another, each line on its own pasted line. */
  const entries = (...commands: string[]) => {
    let next = 1;
    return commands.map((command) => {
      const lines = command.split('\n').map(() => next++);
      return { command, line: lines[0] as number, lines };
    });
  };
  const kinds = (...commands: string[]): Array<[number, StateKind, number]> =>
    findStateLosses(parser, entries(...commands)).map((loss) => [loss.line, loss.kind, loss.usedBy.line]);

  it.each<[string, string[], Array<[number, StateKind, number]>]>([
    ['a cd before any command', ['cd repo', 'make'], [[1, 'directory', 2]]],
    ['a cd inside && still leaves the shell moved', ['cd repo && make', 'make test'], [[1, 'directory', 2]]],
    ['pushd and popd', ['pushd /tmp', 'ls'], [[1, 'directory', 2]]],
    ['a cd inside a subshell ends with it', ['(cd repo && make)', 'make test'], []],
    ['a cd in a pipeline runs in a subshell', ['cd repo | cat', 'ls'], []],
    ['a cd inside if or { } persists', ['if true; then cd /; fi', 'ls'], [[1, 'directory', 2]]],
    ['an export, used implicitly by any later command', ['export CI=1', 'npm test'], [[1, 'export', 2]]],
    ['declare -x exports too', ['declare -x CI=1', 'npm test'], [[1, 'export', 2]]],
    ['a variable used later', ['VERSION=1.2.3', 'echo hello', 'git tag "v$VERSION"'], [[1, 'variable', 3]]],
    ['a variable nobody uses', ['VERSION=1.2.3', 'git tag'], []],
    ['a variable assigned for one command only', ['X=1 make', 'echo $X'], []],
    ['read sets variables', ['read -r name', 'echo "${name}"'], [[1, 'variable', 2]]],
    ['unset of a variable used later', ['unset GIT_DIR', 'echo $GIT_DIR'], [[1, 'unset', 2]]],
    ['a function called later', ['greet() { echo hi; }', 'greet'], [[1, 'function', 2]]],
    ['a function nobody calls', ['greet() { echo hi; }', 'ls'], []],
    ['an alias used later', ["alias ll='ls -la'", 'll src'], [[1, 'alias', 2]]],
    ['source and .', ['source venv/bin/activate', 'pip list', '. ./env.sh', 'make'], [[1, 'source', 2], [3, 'source', 4]]],
    ['set -e and shopt', ['set -euo pipefail', 'shopt -s globstar', 'ls **/*.ts'], [[1, 'option', 2], [2, 'option', 3]]],
    ['umask', ['umask 077', 'touch secret'], [[1, 'option', 2]]],
    ['conda activate', ['conda activate ml', 'python train.py'], [[1, 'environment', 2]]],
    ['exec redirecting the shell', ['exec > build.log 2>&1', 'make'], [[1, 'descriptors', 2]]],
    ['a change on the second line of a multi-line entry', ['echo start\ncd repo', 'ls'], [[2, 'directory', 3]]],
    ['nothing after the last entry to lose', ['ls', 'cd repo'], []],
    ['comments after it do not count as a use', ['cd repo', '# done'], []],
  ])('%s', (_name, commands, expected) => {
    expect(kinds(...commands)).toEqual(expected);
  });
});
