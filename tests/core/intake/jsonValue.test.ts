import { describe, expect, it } from 'vitest';
import { parseJsonAt } from '../../../src-main/core/intake/jsonValue.js';

describe('parsing JSON with positions', () => {
  it.each([
    '{}',
    '[]',
    '  {"a": [1, -2.5e3, true, false, null, "x"]}  ',
    '"\\u00e9\\n\\t\\"\\\\\\/\\b\\f\\r"',
    '"\\ud83d\\ude00 and a lone \\ud800"',
    '{"a":1,"a":2}',
    '{"1":{},"b":[{"c":"d"}]}',
    '0',
    '-0.0e-0',
    '"zero\u200bwidth"',
  ])('reads %s as JSON.parse does', (text) => {
    const parsed = parseJsonAt(text);
    expect(parsed.ok && parsed.value).toEqual(JSON.parse(text));
  });

  it.each([
    ['{"a":1,}', 'expected a property name in double quotes', 7],
    ["{'a':1}", 'expected a property name in double quotes', 1],
    ['{"a" 1}', 'expected `:`', 5],
    ['[1 2]', 'expected `,` or `]` after an array element', 3],
    ['{"a":1 "b":2}', 'expected `,` or `}` after a property', 7],
    ['"line\nbreak"', 'control character in a JSON string (a raw line break?)', 5],
    ['"bad \\x escape"', 'bad escape in a JSON string', 5],
    ['"\\u12"', 'bad \\u escape in a JSON string', 1],
    ['"open', 'unterminated JSON string', 5],
    ['01', 'unexpected text after the JSON value', 1],
    ['tru', 'unexpected token', 0],
    ['{} {}', 'unexpected text after the JSON value', 3],
    ['[', 'unexpected end of JSON', 1],
    [`${'['.repeat(65)}${']'.repeat(65)}`, 'JSON nested too deeply', 64],
  ])('refuses %j: %s', (text, message, offset) => {
    expect(parseJsonAt(text)).toEqual({ ok: false, message, offset });
  });

  it('records where each object and array starts in the whole text', () => {
    const text = 'prefix [\n  {"a": {"b": []}}\n]';
    const parsed = parseJsonAt(text, 7);
    if (!parsed.ok) throw new Error(parsed.message);
    const outer = parsed.value as Array<{ a: { b: unknown[] } }>;
    const first = outer[0] as { a: { b: unknown[] } };
    expect([outer, first, first.a, first.a.b].map((value) => parsed.offsets.get(value))).toEqual([7, 11, 17, 23]);
  });

  it('parses only the given slice of the text', () => {
    expect(parseJsonAt('xx{"a":1}yy', 2, 9)).toMatchObject({ ok: true, value: { a: 1 } });
  });

  it('keeps `__proto__` an ordinary property, as JSON.parse does', () => {
    const parsed = parseJsonAt('{"__proto__": {"command": "x"}}');
    if (!parsed.ok) throw new Error(parsed.message);
    const value = parsed.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect((value as { command?: unknown }).command).toBeUndefined();
  });
});
