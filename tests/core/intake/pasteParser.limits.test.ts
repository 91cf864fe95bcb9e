import { describe, expect, it } from 'vitest';
import { extractToolCalls, MAX_LISTED_CALLS, MAX_PASTE_BYTES, type ExtractResult } from '../../../src-main/core/intake/index.js';
import { F, call, failed, found, lines } from './calls.js';

const TOO_LARGE = (size: string) => failed('TOO_LARGE', `the pasted text is ${size} MB; Leash reads at most 1 MB at a time`);

describe('size limits', () => {
  it('reads a paste of exactly 1 MB', () => {
    const text = `${'#'.repeat(MAX_PASTE_BYTES - 3)}\nls`;
    expect(extractToolCalls(text)).toEqual(found([call('lines', 2, 'ls')]));
  });

  it.each<[string, string, ExtractResult]>([
    ['one byte over 1 MB', `${'#'.repeat(MAX_PASTE_BYTES - 2)}\nls`, TOO_LARGE('1.0')],
    ['1 MB of UTF-8 in fewer characters', 'é'.repeat(MAX_PASTE_BYTES / 2 + 1), TOO_LARGE('1.0')],
    ['several megabytes', 'x'.repeat(3 * MAX_PASTE_BYTES), TOO_LARGE('3.0')],
  ])('refuses %s as TOO_LARGE', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });

  it(`lists at most ${MAX_LISTED_CALLS} commands and says how many there were`, () => {
    const result = extractToolCalls('ls\n'.repeat(1500));
    expect(result.ok && { count: result.calls.length, last: result.calls.at(-1), notes: result.notes }).toEqual({
      count: MAX_LISTED_CALLS,
      last: call('lines', MAX_LISTED_CALLS, 'ls'),
      notes: [`found 1500 commands; only the first ${MAX_LISTED_CALLS} are listed`],
    });
  });
});

describe('hostile or huge input stays fast', () => {
  const nearlyOneMegabyte = MAX_PASTE_BYTES - 10;
  it.each<[string, string]>([
    ['a megabyte of `[`', '['.repeat(nearlyOneMegabyte)],
    ['a megabyte of `{"a":`', '{"a":'.repeat(nearlyOneMegabyte / 5)],
    ['deeply nested balanced brackets', `${'['.repeat(nearlyOneMegabyte / 2)}${']'.repeat(nearlyOneMegabyte / 2)}`],
    ['nested regions that each fail at the very end', `${'['.repeat(60)}${'1,'.repeat(nearlyOneMegabyte / 2 - 100)}x${']'.repeat(60)}`],
    ['many small JSON values', '{"a":[1]} '.repeat(nearlyOneMegabyte / 10)],
    ['quotes and brackets on every line', '{ "a\n'.repeat(nearlyOneMegabyte / 5)],
    ['a never-closed here-document', `cat <<EOF\n${'line\n'.repeat(nearlyOneMegabyte / 5 - 10)}`],
    ['a never-closed quote', `echo "${'word '.repeat(nearlyOneMegabyte / 5 - 10)}`],
    ['thousands of code blocks', `${F}bash\nls\n${F}\n`.repeat(nearlyOneMegabyte / 15)],
    ['one enormous line', 'a'.repeat(nearlyOneMegabyte)],
  ])('%s', (_name, text) => {
    const started = performance.now();
    const result = extractToolCalls(text);
    expect(result.ok || result.error.code).toBeTruthy();
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('says so when it stops searching for JSON', () => {
    const text = `${'['.repeat(60)}${'1,'.repeat(400_000)}x${']'.repeat(60)}\nls`;
    expect(extractToolCalls(text)).toMatchObject({
      ok: true,
      notes: ['the text holds too much bracketed content to search it all for JSON; some tool calls may be missing'],
    });
  });
});

describe('command text is never altered', () => {
  const ZWSP = '\u200b';
  const RLO = '\u202e';
  const NBSP = '\u00a0';
  const TAG = '\u{E0041}';
  it.each<[string, string, ExtractResult]>([
    ['a zero-width space in a ```bash block', lines(`${F}bash`, `ls${ZWSP} -la`, F), found([call('fenced', 2, `ls${ZWSP} -la`)])],
    ['a right-to-left override in a plain line', `echo ${RLO}txt.exe`, found([call('lines', 1, `echo ${RLO}txt.exe`)])],
    ['a no-break space and a tag character', `rm${NBSP}-rf /tmp/x${TAG}`, found([call('lines', 1, `rm${NBSP}-rf /tmp/x${TAG}`)])],
    ['a line holding only an invisible character is a command, not a blank line', lines('ls', ZWSP, 'pwd'), found([call('lines', 1, 'ls'), call('lines', 2, ZWSP), call('lines', 3, 'pwd')])],
    ['an escaped invisible character in JSON is decoded, not dropped', '{"command": "git\\u200b status"}', found([call('json', 1, `git${ZWSP} status`)])],
    ['a raw invisible character in JSON', `{"command": "git${RLO} status"}`, found([call('json', 1, `git${RLO} status`)])],
    ['a command of only an invisible character is not empty', `{"command": "${ZWSP}"}`, found([call('json', 1, ZWSP)])],
    ['a lone carriage return inside a line', 'echo a\rb', found([call('lines', 1, 'echo a\rb')])],
    ['trailing whitespace and a trailing newline in JSON', '{"command": "ls  \\n"}', found([call('json', 1, 'ls  \n')])],
    ['emoji and non-Latin text', lines(`${F}bash`, 'echo "✅ 完成" > статус.txt', F), found([call('fenced', 2, 'echo "✅ 完成" > статус.txt')])],
  ])('%s', (_name, text, expected) => {
    expect(extractToolCalls(text)).toEqual(expected);
  });
});
