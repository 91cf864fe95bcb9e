import { describe, expect, it } from 'vitest';
import { canonicalJson, CanonicalJsonError, compareCodePoints } from '../../../src-main/core/json/canonicalJson.js';

// Every expected string below was produced by CPython 3 with
// json.dumps(value, sort_keys=True, separators=(',', ':')) for the same value.
const controlCharacters = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)).join('');

describe('canonicalJson matches Python json.dumps(sort_keys=True, separators=(",", ":"))', () => {
  it.each([
    ['sorts keys at every level and writes no spaces', { b: 1, a: { d: [3, { z: null, y: true }], c: false }, A: [] }, String.raw`{"A":[],"a":{"c":false,"d":[3,{"y":true,"z":null}]},"b":1}`],
    ['escapes non-ASCII BMP characters as lowercase \\uXXXX', 'h\u00e9llo w\u00f6rld \u00f1 \u4e2d\u6587 \u20ac', String.raw`"h\u00e9llo w\u00f6rld \u00f1 \u4e2d\u6587 \u20ac"`],
    ['escapes astral characters as surrogate pairs', '\u{1F600}\u{1D11E}', String.raw`"\ud83d\ude00\ud834\udd1e"`],
    ['escapes control characters the way Python does, DEL included', `${controlCharacters}\x7f "\\/`, String.raw`"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f \"\\/"`],
    ['escapes C1 controls, line separators, BOM and bidi overrides', '\x80\x9f\u00a0\u2028\u2029\ufeff\u202e', String.raw`"\u0080\u009f\u00a0\u2028\u2029\ufeff\u202e"`],
    ['escapes lone surrogates as they are', '\ud800x\udfff', String.raw`"\ud800x\udfff"`],
    [
      'orders keys by code point, not by UTF-16 unit',
      { '\uffff': 1, '\u{10000}': 2, a: 3, B: 4, '': 5, '\u00e9': 6, '\ue000': 7, aa: 8, 'a\u{10000}': 9, 'a\uffff': 10 },
      String.raw`{"":5,"B":4,"a":3,"aa":8,"a\uffff":10,"a\ud800\udc00":9,"\u00e9":6,"\ue000":7,"\uffff":1,"\ud800\udc00":2}`,
    ],
    ['writes safe integers in decimal', [0, -1, 9007199254740991, -9007199254740991, 42], '[0,-1,9007199254740991,-9007199254740991,42]'],
    ['writes empty containers and strings', [{}, [], ''], '[{},[],""]'],
    ['writes null and booleans', [null, true, false, 'x'], '[null,true,false,"x"]'],
    [
      'writes an audit-like record exactly',
      { seq: 1, ts: '2025-01-02T03:04:05.678Z', event: 'ENTRY_STARTED', command: `printf '%s\\n' "h\u00e9" | tee /tmp/x\t# \u{1F600}`, details: { argv: ['a', 'b'], n: -3 } },
      String.raw`{"command":"printf '%s\\n' \"h\u00e9\" | tee /tmp/x\t# \ud83d\ude00","details":{"argv":["a","b"],"n":-3},"event":"ENTRY_STARTED","seq":1,"ts":"2025-01-02T03:04:05.678Z"}`,
    ],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('writes -0 as 0, as Python writes the integer it reads from "-0"', () => {
    expect(canonicalJson({ zero: -0 })).toBe('{"zero":0}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, number>;
    bare.b = 2;
    bare.a = 1;
    expect(canonicalJson(bare)).toBe('{"a":1,"b":2}');
  });

  it('serializes the same content identically whatever the insertion order', () => {
    expect(canonicalJson({ x: 1, y: { q: 2, p: 3 } })).toBe(canonicalJson({ y: { p: 3, q: 2 }, x: 1 }));
  });
});

describe('canonicalJson refuses values without one canonical text', () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  it.each([
    ['a float', { a: 1.5 }, '$.a'],
    ['NaN', [Number.NaN], '$[0]'],
    ['Infinity', { a: { b: Number.POSITIVE_INFINITY } }, '$.a.b'],
    ['an unsafe integer', { big: 2 ** 53 }, '$.big'],
    ['a bigint', { n: 10n }, '$.n'],
    ['undefined as an object property', { a: 1, b: undefined }, '$.b'],
    ['undefined at the top', undefined, '$'],
    ['a function', { f: () => 1 }, '$.f'],
    ['a symbol', [Symbol('s')], '$[0]'],
    ['a Date', { when: new Date(0) }, '$.when'],
    ['a Map', new Map([['a', 1]]), '$'],
    ['a sparse array', [1, , 3], '$[1]'], // eslint-disable-line no-sparse-arrays
    ['a cycle', cycle, '$.self'],
  ])('rejects %s with CANONICAL_JSON_UNSUPPORTED and the path', (_name, value, path) => {
    let caught: unknown;
    try {
      canonicalJson(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CanonicalJsonError);
    expect((caught as CanonicalJsonError).code).toBe('CANONICAL_JSON_UNSUPPORTED');
    expect((caught as CanonicalJsonError).path).toBe(path);
  });

  it('allows the same object twice when it is not its own ancestor', () => {
    const shared = { k: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
  });
});

describe('compareCodePoints', () => {
  it('puts astral characters after the end of the BMP, unlike the default sort', () => {
    const keys = ['\u{10000}', '\uffff', '\ue000', 'z'];
    expect([...keys].sort()).toEqual(['z', '\u{10000}', '\ue000', '\uffff']);
    expect([...keys].sort(compareCodePoints)).toEqual(['z', '\ue000', '\uffff', '\u{10000}']);
  });

  it('orders a prefix before the longer string', () => {
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('abc', 'ab')).toBeGreaterThan(0);
    expect(compareCodePoints('ab', 'ab')).toBe(0);
  });
});
