import { describe, expect, it } from 'vitest';
import { extractToolCalls, type ExtractResult } from '../../../src-main/core/intake/index.js';
import { call, failed, found, lines } from './calls.js';

const line = (at: number, command: string) => call('lines', at, command);
const PROSE_HINT = "Paste the AI's reply with its ```bash code blocks or tool calls, or only the commands, one per line.";

describe('plain lines, when there are no code blocks or tool calls', () => {
  it.each<[string, string, ExtractResult]>([
    ['one command per line', lines('which git', 'ls ~/', 'cat ~/.zshrc'), found([line(1, 'which git'), line(2, 'ls ~/'), line(3, 'cat ~/.zshrc')])],
    ['a single command', 'git status', found([line(1, 'git status')])],
    ['blank and comment lines are skipped', lines('', '# check the repo', 'git status', '', '   ', 'git log -1', ''), found([line(3, 'git status'), line(6, 'git log -1')])],
    ['the same command twice is two entries', lines('date', 'date'), found([line(1, 'date'), line(2, 'date')])],
    [
      'multi-line constructs stay together',
      lines('cat > hello.sh <<EOF', 'This is not a sentence to skip.', 'EOF', 'for f in *.sh; do', '  bash -n "$f"', 'done', 'echo "one', 'two"'),
      found([line(1, 'cat > hello.sh <<EOF\nThis is not a sentence to skip.\nEOF'), line(4, 'for f in *.sh; do\n  bash -n "$f"\ndone'), line(7, 'echo "one\ntwo"')]),
    ],
    ['a continuation', lines('npm install \\', '  --save-dev vitest'), found([line(1, 'npm install \\\n  --save-dev vitest')])],
    ['a typed `$ ` prompt is removed, as in any block', '$ ls', found([line(1, 'ls')])],
  ])('%s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it.each<[string, string, ExtractResult]>([
    [
      'a prose paragraph',
      lines('Sure! To see what is taking up space, you can check your disk usage first.', 'Then remove the caches you do not need.'),
      failed('NOTHING_FOUND', `this reads like prose, not commands (line 1: “Sure! To see what is taking up space, you can check your disk usage first.”). ${PROSE_HINT}`),
    ],
    [
      'a reply copied without its code blocks, where only sentences remain',
      lines('', 'I can help with that.', '', '- First, update your packages.', '- Then restart the service.'),
      failed('NOTHING_FOUND', `this reads like prose, not commands (line 2: “I can help with that.”). ${PROSE_HINT}`),
    ],
    [
      'a long sentence is quoted shortened',
      `This is a very long sentence that goes on and on about the many things one could possibly do to fix it.`,
      failed('NOTHING_FOUND', `this reads like prose, not commands (line 1: “This is a very long sentence that goes on and on about the many things one could…”). ${PROSE_HINT}`),
    ],
    ['an empty paste', '', failed('NOTHING_FOUND', 'there are no commands: the text is empty or holds only comments')],
    ['only whitespace', ' \n\t\n', failed('NOTHING_FOUND', 'there are no commands: the text is empty or holds only comments')],
    ['only comments', lines('# TODO', '#   nothing yet'), failed('NOTHING_FOUND', 'there are no commands: the text is empty or holds only comments')],
  ])('prose and nothing: %s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it('takes the commands of a reply copied without its code blocks, and says which sentences it skipped', () => {
    const text = lines("Here's what I'd run to clean up:", 'rm -rf build', 'npm ci', "That's it, you're all set.");
    expect(extractToolCalls(text)).toEqual(
      found([line(2, 'rm -rf build'), line(3, 'npm ci')], [
        'line 1: skipped: it reads like prose, not a command',
        'line 4: skipped: it reads like prose, not a command',
      ]),
    );
  });

  it('keeps lines it is unsure about as commands, for the policy and a person to judge', () => {
    const text = lines('then run:', 'npm test', 'Run the tests');
    expect(extractToolCalls(text)).toEqual(found([line(1, 'then run:'), line(2, 'npm test'), line(3, 'Run the tests')]));
  });
});
