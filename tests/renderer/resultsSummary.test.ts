// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { fenceFor, resultsSummary } from '../../src-renderer/src/model/resultsSummary';
import { batch, captured, entry } from './fixtures';

describe('resultsSummary', () => {
  it('writes each command, its outcome and its output as Markdown for the AI', () => {
    const ran = batch('b-42', [], {
      status: 'error',
      entries: [
        entry('b-42', 1, 'git status', 'allow', { status: 'completed', exitCode: 0, durationMs: 120, startedAt: 't', stdout: captured('On branch main\nnothing to commit\n'), stderr: captured('') }),
        entry('b-42', 2, 'npm test', 'ask', { status: 'error', exitCode: 1, durationMs: 2500, startedAt: 't', stdout: captured('1 failing\n'), stderr: captured('Error: expected 2\n') }),
        entry('b-42', 3, 'rm -rf build', 'deny', { status: 'blocked', note: 'denied by policy; it can never run' }),
        entry('b-42', 4, 'ls', 'allow', { status: 'skipped', note: 'an earlier entry failed' }),
      ],
    });
    expect(resultsSummary(ran)).toBe(
      [
        '## Leash results: batch b-42 (error)',
        'Working directory: `/home/dev/project`  \n4 commands: 1 completed, 1 error, 1 blocked, 1 skipped',
        '### 1. COMPLETED, exit code 0, 120 ms',
        '```sh\ngit status\n```',
        'stdout:',
        '```text\nOn branch main\nnothing to commit\n```',
        '### 2. ERROR, exit code 1, 2.5 s',
        '```sh\nnpm test\n```',
        'stdout:',
        '```text\n1 failing\n```',
        'stderr:',
        '```text\nError: expected 2\n```',
        '### 3. BLOCKED',
        '```sh\nrm -rf build\n```',
        'Note: denied by policy; it can never run',
        '- RM_RECURSIVE_FORCE: blocked: `rm` with recursive and force flags (`-rf`)',
        '### 4. SKIPPED',
        '```sh\nls\n```',
        'Note: an earlier entry failed',
      ].join('\n\n') + '\n',
    );
  });

  it('keeps only a bounded tail of long output and says how much there was', () => {
    const tail = Array.from({ length: 100 }, (_, i) => `t${i}`).join('\n') + '\n';
    const long = batch('b', [], {
      status: 'completed',
      entries: [entry('b', 1, 'yes | head', 'ask', { status: 'completed', exitCode: 0, durationMs: 5, startedAt: 't', stdout: captured('', { head: 'h\n', tail, truncated: true, bytes: 123_456 }) })],
    });
    const text = resultsSummary(long, { tailLines: 3, tailChars: 1000 });
    expect(text).toContain('stdout (last lines of 123,456 bytes):\n\n```text\nt97\nt98\nt99\n```');
    expect(text).not.toContain('t96');
  });

  it('uses a longer fence when the output itself contains backticks', () => {
    expect(fenceFor('no ticks')).toBe('```');
    expect(fenceFor('has ``` inside')).toBe('````');
    const tricky = batch('b', [], {
      status: 'completed',
      entries: [entry('b', 1, 'cat README.md', 'allow', { status: 'completed', exitCode: 0, durationMs: 1, startedAt: 't', stdout: captured('```js\nx\n```\n') })],
    });
    expect(resultsSummary(tricky)).toContain('````text\n```js\nx\n```\n````');
  });
});
