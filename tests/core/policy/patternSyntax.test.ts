import { describe, expect, it } from 'vitest';
import { checkPatterns } from '../../../src-main/core/policy/patterns.js';
import { toRe2Syntax } from '../../../src-main/core/policy/patternSyntax.js';

/** What a pattern meant before linear-time matching: a whole-string JavaScript `u` match. */
function javascriptMatches(source: string, command: string): boolean {
  return new RegExp(`^(?:${source})$`, 'u').test(command);
}

function linearMatches(source: string, command: string): boolean {
  const [pattern] = checkPatterns([source]).patterns;
  if (!pattern) throw new Error(`pattern refused: ${source}`);
  return pattern.matches(command);
}

const COMMANDS = [
  '', 'make', 'make test', 'make  test', 'make\ttest', 'make\u00a0test', 'make\u2028test', 'make\rtest', 'make\ntest', 'make\u000btest',
  'npm run lint', 'npm run lint-fix', 'git push origin feat/x', 'cargo build --release', 'a]', '[', ':', 'a', 'b', '\b', 'é', '😀',
  'ls -la', 'x.y', 'xzy', 'Make', 'MAKE TEST', 'make test\n', '/usr/bin/env', 'A', '-',
];

describe('allow patterns keep their JavaScript meaning under linear-time matching', () => {
  it.each([
    'make( [a-z-]+)*', 'npm (test|run lint)', 'git push origin [a-z0-9/-]+', 'cargo (build|test)( --release)?',
    'make.test', 'make.*', 'make\\stest', 'make\\Stest', 'make[\\s]test', 'make\\s+\\w+', '[[:alpha:]+', '[[:a]', '[[]', '[]', '[^]', 'a[^]?',
    '[\\b]', 'x\\.y', '\\/usr\\/bin\\/env', '\\u0041', '\\u{1F600}', '\\p{L}', '\\P{L}', '.', '\\cJ', 'make\\x20test', '\\w+', '\\d*',
    '(?<name>make) test', '(?:a|b)', 'a{0,3}', 'ls -l?a?', '[\\-a]', '[a\\]]', '\\bmake\\b test', 'make\\B.*', '[^\\s]', '\\0?',
    'mytool (\\w+-?)+', 'make test$', '^make test', 'é', '.{1,3}',
  ])('%j matches exactly the commands it matched with JavaScript', (source) => {
    for (const command of COMMANDS) {
      expect([command, linearMatches(source, command)]).toEqual([command, javascriptMatches(source, command)]);
    }
  });
});

describe('what linear-time matching cannot express', () => {
  it.each([
    ['(a+)\\1', /`\\1` is a backreference/],
    ['(?<w>a)\\k<w>', /named backreference/],
    ['make(?= test)', /lookahead/],
    ['make(?! test).*', /lookahead/],
    ['(?<=make )test', /lookbehind/],
    ['(?<!x)make', /lookbehind/],
    ['a{1001}', /invalid repeat count/],
    ['\\p{Script=Greek}', /cannot be matched in linear time/],
    ['[^\\S]x[\\S]', /`\\S` inside `\[...\]`/],
  ])('refuses %j with PATTERN_UNSUPPORTED and says why', (source, message) => {
    const checked = checkPatterns([source]);
    expect(checked.patterns).toEqual([]);
    expect(checked.errors.map((e) => e.code)).toEqual(['PATTERN_UNSUPPORTED']);
    expect(checked.errors[0]?.message).toMatch(message);
  });

  it('names linear-time matching in the reason a person sees', () => {
    const translated = toRe2Syntax('(a)\\1');
    expect(translated).toEqual({ ok: false, code: 'PATTERN_UNSUPPORTED', message: expect.stringContaining('linear time') });
  });

  it('does not mistake an escaped bracket or parenthesis for a class or a lookahead', () => {
    expect(linearMatches('\\(\\?=x\\)', '(?=x)')).toBe(true);
    expect(linearMatches('[(?=]+', '(?=')).toBe(true);
    expect(linearMatches('\\[.\\]', '[x]')).toBe(true);
  });

  it('refuses what is not JavaScript syntax as PATTERN_INVALID, before asking RE2', () => {
    expect(checkPatterns(['\\-', '(?i)make', '\\Qa\\E']).errors.map((e) => e.code)).toEqual(['PATTERN_INVALID', 'PATTERN_INVALID', 'PATTERN_INVALID']);
  });
});
