/**
 * Canonical JSON: byte for byte what Python writes with
 * `json.dumps(value, sort_keys=True, separators=(',', ':'))` (ensure_ascii on).
 *
 * Hashes and signatures are computed over this text, so the audit trail (and later the HMAC of
 * signed command files) can be checked by a few lines of Python as well as by Leash itself. That
 * is why the output is pinned to Python rather than to `JSON.stringify`, which differs in three
 * ways that matter: it writes non-ASCII characters raw, it keeps insertion order, and it accepts
 * floats whose text differs between the two languages.
 */

export type CanonicalJsonValue = null | boolean | number | string | CanonicalJsonValue[] | { [key: string]: CanonicalJsonValue };

/** Thrown for values that have no single canonical text; `path` names where (`$.a[2]`). */
export class CanonicalJsonError extends Error {
  readonly code = 'CANONICAL_JSON_UNSUPPORTED';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path}`);
  }
}

/**
 * Serializes `value` canonically (see the file comment).
 *
 * Accepted: `null`, booleans, safe integers (`-0` is written `0`, as Python writes the integer it
 * parses from `-0`), strings (lone surrogates are escaped like Python escapes them), arrays and
 * plain objects. Keys are sorted by Unicode code point, as Python sorts `str`.
 *
 * Rejected with {@link CanonicalJsonError}: non-integer, unsafe or non-finite numbers (Python and
 * JavaScript print floats differently, and large integers lose precision in JavaScript), bigint,
 * `undefined` anywhere (including object properties: skipping them silently, as `JSON.stringify`
 * does, would let two different inputs sign to the same text), functions, symbols, class
 * instances (`Date`, `Map`, ...), sparse arrays and cycles.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, undefined);
}

/**
 * The containers being serialized and the key or index taken in each. The error path is built
 * from it only when something is refused: building `$.a.b` strings for every value up front
 * doubled the cost of verifying a log.
 */
interface Trail {
  containers: object[];
  steps: Array<string | number>;
}

function refuse(message: string, trail: Trail | undefined): CanonicalJsonError {
  const steps = trail?.steps ?? [];
  return new CanonicalJsonError(message, `$${steps.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('')}`);
}

function serialize(value: unknown, trail: Trail | undefined): string {
  switch (typeof value) {
    case 'string':
      return quoteString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw refuse(`only safe integers are supported, got ${String(value)}`, trail);
      return String(value);
    case 'object':
      if (value === null) return 'null';
      return serializeContainer(value, trail ?? { containers: [], steps: [] });
    default:
      throw refuse(`${typeof value} has no JSON form`, trail);
  }
}

function serializeContainer(value: object, trail: Trail): string {
  if (trail.containers.includes(value)) throw refuse('cyclic structure', trail);
  trail.containers.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      trail.steps.push(i);
      if (!(i in value)) throw refuse('sparse array', trail);
      out += (i === 0 ? '' : ',') + serialize(value[i], trail);
      trail.steps.pop();
    }
    out += ']';
  } else {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw refuse(`only plain objects are supported, got ${value.constructor?.name ?? 'an exotic object'}`, trail);
    }
    const record = value as Record<string, unknown>;
    const keys = sortKeys(Object.keys(record));
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      trail.steps.push(key);
      out += `${i === 0 ? '' : ','}${quoteString(key)}:${serialize(record[key], trail)}`;
      trail.steps.pop();
    }
    out += '}';
  }
  trail.containers.pop();
  return out;
}

/** Sorts keys by code point; keys that are already in order (a parsed canonical record) are left as they are. */
export function sortKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    if (compareCodePoints(keys[i - 1] as string, keys[i] as string) > 0) return keys.sort(compareCodePoints);
  }
  return keys;
}

/**
 * Orders strings by code point, as Python compares `str`. JavaScript's default sort compares
 * UTF-16 code units, which puts astral characters (stored as surrogates, 0xD800..) before
 * U+E000..U+FFFF. A lone surrogate counts as its own code point, as it does in Python.
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    // Equal code points have equal lengths, so one index serves both strings.
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };

/** Characters Python writes as they are: printable ASCII except `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A JSON string literal as Python writes it with ensure_ascii. */
export function quoteString(text: string): string {
  // Most strings in an audit record are plain ASCII; skip the per-character loop for them.
  if (PLAIN.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e && unit !== 0x22 && unit !== 0x5c) out += text[i];
    else out += SHORT_ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}
