import { re2js } from './lazyLibraries.js';

/**
 * Allow patterns are written in JavaScript regular-expression syntax (the `u` flag) and matched
 * by RE2 (re2js), which runs in time linear in the command's length: a pattern like
 * `mytool (\w+-?)+` cannot stall classification by backtracking. This file translates one
 * syntax to the other without changing what a pattern matches, and names what RE2 cannot
 * express (backreferences, lookaround) so it is refused when the pattern is saved.
 *
 * Where the two engines read the same text differently, the JavaScript meaning is kept:
 * - `.` in JavaScript matches neither `\r`, U+2028 nor U+2029 (RE2's matches all three);
 * - `\s`/`\S` in JavaScript include Unicode spaces (RE2's are ASCII only);
 * - `[` inside a class is a literal in JavaScript (RE2 reads `[[:alpha:]]` as a POSIX class);
 * - `[]` never matches and `[^]` matches anything in JavaScript (RE2 has no empty class);
 * - `[\b]` is a backspace in JavaScript.
 * Escapes that differ only in spelling (`\u{…}`, `\uXXXX`, `\cX`, `(?<name>…)`) are left to
 * re2js's own `translateRegExp`.
 */

export type UnsupportedSyntax = { ok: false; code: 'PATTERN_UNSUPPORTED'; message: string };

const LINEAR_TIME_NOTE = 'Leash matches allow patterns in linear time (RE2 syntax), which cannot express it';

/** JavaScript's `\s`: ECMAScript WhiteSpace and LineTerminator, written for an RE2 class body. */
const WHITESPACE_BODY = '\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
const DOT = '[^\\n\\r\\x{2028}\\x{2029}]';
const NOTHING = '[^\\x00-\\x{10FFFF}]';
const ANYTHING = '[\\x00-\\x{10FFFF}]';

function unsupported(message: string): UnsupportedSyntax {
  return { ok: false, code: 'PATTERN_UNSUPPORTED', message };
}

/** Length of the escape starting at `source[at]` (a backslash), so a scan can step over it whole. */
function escapeLength(source: string, at: number): number {
  const next = source[at + 1];
  if (next === 'u' && source[at + 2] === '{') {
    const close = source.indexOf('}', at + 3);
    return close === -1 ? 2 : close - at + 1;
  }
  if ((next === 'p' || next === 'P') && source[at + 2] === '{') {
    const close = source.indexOf('}', at + 3);
    return close === -1 ? 2 : close - at + 1;
  }
  if (next === 'u') return 6;
  if (next === 'x') return 4;
  if (next === 'c') return 3;
  const codePoint = source.codePointAt(at + 1) ?? 0;
  return 1 + (codePoint > 0xffff ? 2 : 1);
}

/**
 * Rewrites a character class starting at `source[at]` (`[`) and returns it with the index after
 * its closing `]`, or why RE2 cannot have it.
 */
function translateClass(source: string, at: number): { text: string; end: number } | UnsupportedSyntax {
  let i = at + 1;
  const negated = source[i] === '^';
  if (negated) i += 1;
  if (source[i] === ']') return { text: negated ? ANYTHING : NOTHING, end: i + 1 };
  let body = '';
  while (i < source.length && source[i] !== ']') {
    const char = source[i] as string;
    if (char === '\\') {
      const length = escapeLength(source, i);
      const escape = source.slice(i, i + length);
      if (escape === '\\s') body += WHITESPACE_BODY;
      else if (escape === '\\S') return unsupported('`\\S` inside `[...]` cannot be expressed in linear-time syntax; list the characters instead');
      else if (escape === '\\b') body += '\\x08';
      else body += escape;
      i += length;
      continue;
    }
    body += char === '[' ? '\\[' : char;
    i += 1;
  }
  return { text: `[${negated ? '^' : ''}${body}]`, end: i + 1 };
}

/**
 * Translates a pattern that already compiles as a JavaScript `u` regular expression into RE2
 * syntax with the same meaning, or says which construct RE2 cannot match (code
 * `PATTERN_UNSUPPORTED`, a message a person can act on).
 */
export function toRe2Syntax(source: string): { ok: true; source: string } | UnsupportedSyntax {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next)) return unsupported(`\`\\${next}\` is a backreference; ${LINEAR_TIME_NOTE}`);
      if (next === 'k') return unsupported(`\`\\k<…>\` is a named backreference; ${LINEAR_TIME_NOTE}`);
      const length = escapeLength(source, i);
      const escape = source.slice(i, i + length);
      out += escape === '\\s' ? `[${WHITESPACE_BODY}]` : escape === '\\S' ? `[^${WHITESPACE_BODY}]` : escape;
      i += length;
      continue;
    }
    if (char === '(' && source[i + 1] === '?') {
      const look = /^\(\?(=|!|<=|<!)/.exec(source.slice(i));
      if (look) {
        const kind = look[1] === '=' || look[1] === '!' ? 'lookahead' : 'lookbehind';
        return unsupported(`\`${look[0]}…)\` is a ${kind}; ${LINEAR_TIME_NOTE}`);
      }
    }
    if (char === '[') {
      const translated = translateClass(source, i);
      if ('ok' in translated) return translated;
      out += translated.text;
      i = translated.end;
      continue;
    }
    out += char === '.' ? DOT : char;
    i += 1;
  }
  return { ok: true, source: re2js().translateRegExp(out) };
}
