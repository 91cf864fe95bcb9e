/**
 * A strict JSON parser (RFC 8259, the same values as `JSON.parse`) that also records where each
 * object and array starts, so a tool call inside a pasted array can be reported at its own line.
 * It parses a slice of a larger text in place, without copying it.
 */

export type JsonParse =
  | { ok: true; value: unknown; /** UTF-16 offset of each object and array in the whole text. */ offsets: Map<object, number> }
  | { ok: false; message: string; offset: number };

/** Deeper values are refused: no tool call nests this far, and it bounds the recursion. */
export const MAX_JSON_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

class Parser {
  private i: number;
  readonly offsets = new Map<object, number>();

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
  ) {
    this.i = start;
  }

  parseWhole(): unknown {
    const value = this.value(0);
    this.skipWhitespace();
    if (this.i < this.end) this.fail('unexpected text after the JSON value');
    return value;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(message, this.i);
  }

  private skipWhitespace(): void {
    while (this.i < this.end) {
      const c = this.text.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  private expect(char: string): void {
    this.skipWhitespace();
    if (this.text[this.i] !== char || this.i >= this.end) this.fail(`expected \`${char}\``);
    this.i++;
  }

  private value(depth: number): unknown {
    this.skipWhitespace();
    if (this.i >= this.end) this.fail('unexpected end of JSON');
    const c = this.text[this.i];
    if (c === '{' || c === '[') {
      if (depth >= MAX_JSON_DEPTH) this.fail('JSON nested too deeply');
      return c === '{' ? this.object(depth) : this.array(depth);
    }
    if (c === '"') return this.string();
    if (c === 't' || c === 'f' || c === 'n') return this.literal();
    return this.number();
  }

  private object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.offsets.set(result, this.i);
    this.i++;
    this.skipWhitespace();
    if (this.text[this.i] === '}' && this.i < this.end) {
      this.i++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.i] !== '"' || this.i >= this.end) this.fail('expected a property name in double quotes');
      const key = this.string();
      this.expect(':');
      const value = this.value(depth + 1);
      // Assigning `__proto__` would change the prototype; JSON.parse makes it an own property.
      if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      this.skipWhitespace();
      const next = this.i < this.end ? this.text[this.i] : undefined;
      this.i++;
      if (next === '}') return result;
      if (next !== ',') {
        this.i--;
        this.fail('expected `,` or `}` after a property');
      }
    }
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.offsets.set(result, this.i);
    this.i++;
    this.skipWhitespace();
    if (this.text[this.i] === ']' && this.i < this.end) {
      this.i++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.skipWhitespace();
      const next = this.i < this.end ? this.text[this.i] : undefined;
      this.i++;
      if (next === ']') return result;
      if (next !== ',') {
        this.i--;
        this.fail('expected `,` or `]` after an array element');
      }
    }
  }

  private string(): string {
    this.i++; // opening quote
    let result = '';
    let chunkStart = this.i;
    while (this.i < this.end) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x22) {
        result += this.text.slice(chunkStart, this.i);
        this.i++;
        return result;
      }
      if (c < 0x20) this.fail('control character in a JSON string (a raw line break?)');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      result += this.text.slice(chunkStart, this.i);
      const escape = this.text[this.i + 1];
      if (escape === 'u') {
        const hex = this.text.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex) || this.i + 6 > this.end) this.fail('bad \\u escape in a JSON string');
        result += String.fromCharCode(parseInt(hex, 16));
        this.i += 6;
      } else {
        const decoded = escape === undefined || this.i + 1 >= this.end ? undefined : ESCAPES[escape];
        if (decoded === undefined) this.fail('bad escape in a JSON string');
        result += decoded;
        this.i += 2;
      }
      chunkStart = this.i;
    }
    return this.fail('unterminated JSON string');
  }

  private literal(): boolean | null {
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.i) && this.i + word.length <= this.end) {
        this.i += word.length;
        return value;
      }
    }
    return this.fail('unexpected token');
  }

  private number(): number {
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (!match || this.i + match[0].length > this.end) this.fail('unexpected token');
    this.i += match[0].length;
    return Number(match[0]);
  }
}

/**
 * Parses `text.slice(start, end)` as exactly one JSON value (whitespace around it allowed).
 * Never throws: a syntax error comes back with its offset in the whole text.
 */
export function parseJsonAt(text: string, start = 0, end = text.length): JsonParse {
  const parser = new Parser(text, start, end);
  try {
    const value = parser.parseWhole();
    return { ok: true, value, offsets: parser.offsets };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}
