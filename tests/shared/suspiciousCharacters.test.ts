import { describe, expect, it } from 'vitest';
import { escapeForMessage, lookAlikeOf } from '../../src-main/shared/suspiciousCharacters.js';
import { sharedEngine } from '../core/policy/engine.js';

const PRINTABLE = /^[\x20-\x7E\u2026]*$/;

describe('escapeForMessage', () => {
  it.each([
    ['l\u200Bs', 'l\\u{200B}s'],
    ['l\u0455', 'l\\u{455}'],
    ['echo \u202Eabc', 'echo \\u{202E}abc'],
    ['a\tb\nc\rd', 'a\\u{9}b\\u{A}c\\u{D}d'],
    ['\u{1D42C}', '\\u{1D42C}'],
    ['caf\u00E9', 'caf\\u{E9}'],
    ['plain ascii `ls -la` ...', 'plain ascii `ls -la` ...'],
  ])('escapes %j as %j', (text, escaped) => {
    expect(escapeForMessage(text)).toBe(escaped);
  });
});

describe('lookAlikeOf', () => {
  it.each([
    ['\u0455', 's'],
    ['\u0430', 'a'],
    ['\u03BF', 'o'],
    ['\uFF53', 's'],
    ['\u{1D42C}', 's'],
    ['\u2212', '-'],
    ['\u2018', "'"],
    ['\uFB01', 'fi'],
  ])('%j passes for %j', (char, ascii) => {
    expect(lookAlikeOf(char)).toBe(ascii);
  });

  it.each(['s', '-', '\u00E9', '\u4E2D', '\u00A0'])('%j does not pass for other ASCII', (char) => {
    expect(lookAlikeOf(char)).toBeUndefined();
  });
});

describe('policy reason messages', () => {
  it.each([
    ['an invisible character in the command name', 'l\u200Bs -la'],
    ['a Cyrillic look-alike in the command name', 'l\u0455 -la'],
    ['a look-alike in a denied command', 'rm -rf /tmp/\u0455ecret'],
    ['a right-to-left override in an argument', 'cat a\u202Ebc'],
    ['a non-ASCII program in a pipeline', 'echo hi | \u0441at'],
  ])('print nothing raw for %s: every non-ASCII character is escaped', async (_name, command) => {
    const engine = await sharedEngine();
    const { reasons } = engine.classify({ tool: 'shell', command });
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.message, reason.message).toMatch(PRINTABLE);
  });

  it('names the zero width space in ls as l\\u{200B}s where it quotes the command', async () => {
    const engine = await sharedEngine();
    const messages = engine.classify({ tool: 'shell', command: 'l\u200Bs' }).reasons.map((r) => r.message).join('\n');
    expect(messages).toContain('l\\u{200B}s');
    expect(messages).not.toContain('\u200B');
  });
});
