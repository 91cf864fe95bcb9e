import {
  CLOSING_WORDS,
  CODE_FRAMES,
  CONTINUING_OPERATORS,
  FRAME_DESCRIPTIONS,
  LEADING_WORDS,
  OPENING_WORDS,
  readHereDocument,
  type Frame,
  type FrameKind,
  type HereDocument,
} from './shellSyntax.js';

/** Characters with no special meaning in code, taken a run at a time (hot path for long lines). */
const PLAIN_RUN = /[^ \t\n#\\'"`$()|;&<>]*/y;
const DOUBLE_QUOTED_RUN = /[^"\\$`]*/y;

/**
 * A line-at-a-time bash lexer that answers one question: after this line, is the command
 * complete, or does it go on (an open quote, a here-document body, `if` without `fi`, a `{` or
 * `(` group, a trailing `\` or `|`, a function header)? It does not parse bash; the policy's
 * tree-sitter parser does that later. When unsure it keeps lines together, which shows a person
 * more text in one entry rather than running half a construct as a command of its own.
 */
export class ShellScanner {
  private readonly frames: Frame[] = [];
  /** Here-documents announced on the current line; their bodies start on the next. */
  private announced: HereDocument[] = [];
  private bodies: HereDocument[] = [];
  private word = '';
  private wordActive = false;
  /** The word holds quoting or escapes, so it cannot be a reserved word. */
  private wordQuoted = false;
  private commandStart = true;
  private lastToken = '';
  private continued = false;
  private functionHeader = false;
  private expectFunctionName = false;

  /** True when the lines fed so far form complete commands. */
  get complete(): boolean {
    return (
      this.frames.length === 0 &&
      this.bodies.length === 0 &&
      this.announced.length === 0 &&
      !this.continued &&
      !this.functionHeader &&
      !this.expectFunctionName &&
      !CONTINUING_OPERATORS.has(this.lastToken)
    );
  }

  /** What keeps the command open, for a note when the text ends first. */
  describeOpen(): string {
    const body = this.bodies[0] ?? this.announced[0];
    if (body) return `here-document \`${body.delimiter}\` is never closed`;
    const outermost = this.frames[0];
    if (outermost) return `${FRAME_DESCRIPTIONS[outermost.kind]} is never closed`;
    if (this.continued) return 'ends with a line continuation (\\)';
    if (CONTINUING_OPERATORS.has(this.lastToken)) return `ends with \`${this.lastToken}\``;
    return 'ends with a function header but no body';
  }

  /** Reads one line (without its line break). */
  feed(line: string): void {
    this.continued = false;
    const body = this.bodies[0];
    if (body) {
      const candidate = body.stripTabs ? line.replace(/^\t+/, '') : line;
      if (candidate === body.delimiter) this.bodies.shift();
      return;
    }
    const text = `${line}\n`;
    for (let i = 0; i < text.length; i++) i = this.step(text, i);
  }

  /** Handles the character at `i`; returns the index of the last character consumed. */
  private step(text: string, i: number): number {
    const frame = this.frames[this.frames.length - 1];
    if (!CODE_FRAMES.has(frame?.kind)) return this.quoted(frame as Frame, text, i);
    const c = text[i] as string;
    if (frame && c !== ' ' && c !== '\t' && c !== ')') frame.empty = false;
    switch (c) {
      case ' ':
      case '\t':
        this.endWord();
        return i;
      case '\n':
        this.endWord();
        this.newline();
        return i;
      case '#':
        if (this.wordActive) break;
        return text.length - 2; // a comment runs to the end of the line
      case '\\':
        if (text[i + 1] === '\n') {
          this.continued = true;
          return i + 1;
        }
        this.addToWord(true);
        return i + 1;
      case "'":
        return this.open('single-quote', i, true);
      case '"':
        return this.open('double-quote', i, true);
      case '`':
        return this.open('backquote', i, true);
      case '$':
        return this.dollar(text, i);
      case '(':
        return this.openParen(text, i);
      case ')':
        this.closeParen();
        return i;
      case ';':
      case '&':
      case '|':
        return this.operator(text, i);
      case '<':
      case '>':
        return this.redirection(text, i);
    }
    PLAIN_RUN.lastIndex = i + 1;
    const end = i + 1 + (PLAIN_RUN.exec(text)?.[0].length ?? 0);
    this.word += text.slice(i, end);
    this.addToWord(false);
    return end - 1;
  }

  /** Inside quotes, `${…}`, backquotes and `$((…))`: only the way out (and nesting) matters. */
  private quoted(frame: Frame, text: string, i: number): number {
    const c = text[i];
    switch (frame.kind) {
      case 'single-quote': {
        const close = text.indexOf("'", i);
        if (close === -1) return text.length - 1;
        this.frames.pop();
        return close;
      }
      case 'ansi-quote':
      case 'backquote':
        if (c === '\\') return i + 1;
        if (c === (frame.kind === 'backquote' ? '`' : "'")) this.frames.pop();
        return i;
      case 'arithmetic':
        if (c === '(') frame.depth++;
        else if (c === ')') {
          if (frame.depth > 0) frame.depth--;
          else {
            this.frames.pop();
            return text[i + 1] === ')' ? i + 1 : i;
          }
        }
        return i;
      default: { // double-quote, parameter
        if (frame.kind === 'double-quote') {
          DOUBLE_QUOTED_RUN.lastIndex = i;
          const run = DOUBLE_QUOTED_RUN.exec(text)?.[0].length ?? 0;
          if (run > 0) return i + run - 1;
        }
        if (c === '\\') return i + 1;
        if (c === '$') return this.dollar(text, i);
        if (c === '`') return this.open('backquote', i, true);
        if (frame.kind === 'double-quote' && c === '"') this.frames.pop();
        else if (frame.kind === 'parameter' && c === '}') this.frames.pop();
        else if (frame.kind === 'parameter' && (c === "'" || c === '"')) this.open(c === "'" ? 'single-quote' : 'double-quote', i, true);
        return i;
      }
    }
  }

  private open(kind: FrameKind, i: number, inWord: boolean, header = false): number {
    if (inWord) this.addToWord(true);
    this.frames.push({ kind, depth: 0, header, empty: true });
    if (kind === 'paren' || kind === 'substitution') this.enterCode();
    return i;
  }

  /** The words of a `$(…)` or `(…)` are their own commands; the outer word resumes after it. */
  private enterCode(): void {
    this.word = '';
    this.wordActive = false;
    this.wordQuoted = false;
    this.commandStart = true;
  }

  /** `$(`, `$((` and `${` nest everywhere; `$'…'` and `$"…"` are quotes only in code. */
  private dollar(text: string, i: number): number {
    const next = text[i + 1];
    if (next === '(' && text[i + 2] === '(') return this.open('arithmetic', i + 2, true);
    if (next === '(') return this.open('substitution', i + 1, true);
    if (next === '{') return this.open('parameter', i + 1, true);
    if (!CODE_FRAMES.has(this.frames[this.frames.length - 1]?.kind)) return i;
    if (next === "'") return this.open('ansi-quote', i + 1, true);
    if (next === '"') return this.open('double-quote', i + 1, true);
    this.word += '$';
    this.addToWord(false);
    return i;
  }

  private openParen(text: string, i: number): number {
    if (text[i + 1] === '(' && !this.wordActive) {
      this.lastToken = '((';
      return this.open('arithmetic', i + 1, false);
    }
    // `name(` may start a function header; `arr=(` starts an array, `(` alone a subshell.
    const afterName = this.wordActive && !this.wordQuoted && /^[^=]+$/.test(this.word);
    const header = afterName || this.functionHeader;
    this.endWord();
    this.lastToken = '(';
    return this.open('paren', i, false, header);
  }

  private closeParen(): void {
    this.endWord();
    const frame = this.frames[this.frames.length - 1];
    this.lastToken = ')';
    if (frame?.kind === 'paren' || frame?.kind === 'substitution') {
      this.frames.pop();
      // `name()` with its body on the next line: the command is not over yet.
      this.functionHeader = frame.header && frame.empty;
      if (frame.kind === 'paren') {
        this.commandStart = true;
      } else {
        this.wordActive = true; // back inside the word that holds `$(…)`
        this.wordQuoted = true;
        this.commandStart = false;
      }
    } else if (frame?.kind === 'case') {
      this.commandStart = true; // the end of a case pattern
    }
  }

  private operator(text: string, i: number): number {
    this.endWord();
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '&' && next === '>') return this.redirection(text, i + 1);
    let token = c;
    if (next === c || (c === '|' && next === '&') || (c === ';' && next === '&')) token += next;
    if (token === ';;' && text[i + 2] === '&') token += '&';
    this.lastToken = token;
    this.commandStart = true;
    this.functionHeader = false;
    return i + token.length - 1;
  }

  private redirection(text: string, i: number): number {
    this.endWord();
    this.lastToken = text[i] as string;
    this.functionHeader = false;
    const c = text[i];
    const next = text[i + 1];
    if (next === '(') return this.open('substitution', i + 1, false); // process substitution
    if (c === '<' && next === '<') {
      if (text[i + 2] === '<') return i + 2; // here-string
      return this.hereDocument(text, i + 2);
    }
    return next === '>' || next === '&' || next === '|' || (c === '<' && next === '>') ? i + 1 : i;
  }

  private hereDocument(text: string, i: number): number {
    const { document, end } = readHereDocument(text, i);
    if (document) this.announced.push(document);
    this.lastToken = '<<';
    return end;
  }

  private addToWord(quoted: boolean): void {
    this.wordActive = true;
    if (quoted) this.wordQuoted = true;
  }

  private endWord(): void {
    if (!this.wordActive) return;
    const word = this.word;
    const reserved = this.commandStart && !this.wordQuoted;
    this.word = '';
    this.wordActive = false;
    this.wordQuoted = false;
    this.lastToken = 'word';
    this.functionHeader = false;
    if (this.expectFunctionName) {
      this.expectFunctionName = false;
      this.functionHeader = true;
      this.commandStart = true;
      return;
    }
    if (!reserved) {
      this.commandStart = false;
      return;
    }
    this.reservedWord(word);
  }

  private reservedWord(word: string): void {
    const closes = CLOSING_WORDS.get(word);
    const opens = OPENING_WORDS.get(word);
    if (closes) {
      const top = this.frames[this.frames.length - 1];
      if (top?.kind === closes) this.frames.pop();
      this.commandStart = false;
    } else if (opens) {
      this.frames.push({ kind: opens, depth: 0, header: false, empty: true });
      this.commandStart = LEADING_WORDS.has(word);
    } else if (word === 'function') {
      this.expectFunctionName = true;
      this.commandStart = false;
    } else {
      // An assignment (`X=1 cmd`) leaves room for a command name after it.
      this.commandStart = LEADING_WORDS.has(word) || /^[A-Za-z_]\w*(\[[^\]]*\])?\+?=/.test(word);
    }
  }

  private newline(): void {
    this.commandStart = true;
    this.bodies.push(...this.announced);
    this.announced = [];
  }
}
