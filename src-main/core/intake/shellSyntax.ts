/**
 * The bash vocabulary the shell scanner needs: what can be open at the end of a line, the
 * reserved words that open and close compound commands, and how a here-document names its end.
 */

export type FrameKind =
  | 'single-quote'
  | 'ansi-quote'
  | 'double-quote'
  | 'backquote'
  | 'parameter'
  | 'arithmetic'
  | 'paren'
  | 'substitution'
  | 'brace'
  | 'if'
  | 'loop'
  | 'case';

export interface Frame {
  kind: FrameKind;
  /** Nested `(` inside `$(( … ))`. */
  depth: number;
  /** A `(` right after a name (or after `function name`): `name()` may be a function header. */
  header: boolean;
  /** Nothing inside yet. */
  empty: boolean;
}

export interface HereDocument {
  delimiter: string;
  /** `<<-` strips leading tabs from body lines, the terminator included. */
  stripTabs: boolean;
}

/** Frames whose content is bash code (as opposed to quoted text). */
export const CODE_FRAMES: ReadonlySet<FrameKind | undefined> = new Set([undefined, 'paren', 'substitution', 'brace', 'if', 'loop', 'case']);
/** Operators that cannot end a command: bash reads on at the next line. */
export const CONTINUING_OPERATORS: ReadonlySet<string> = new Set(['|', '|&', '&&', '||']);
export const CLOSING_WORDS: ReadonlyMap<string, FrameKind> = new Map([['fi', 'if'], ['done', 'loop'], ['esac', 'case'], ['}', 'brace']]);
export const OPENING_WORDS: ReadonlyMap<string, FrameKind> = new Map([
  ['if', 'if'],
  ['while', 'loop'],
  ['until', 'loop'],
  ['for', 'loop'],
  ['select', 'loop'],
  ['case', 'case'],
  ['{', 'brace'],
]);
/** Reserved words after which a command name may follow. */
export const LEADING_WORDS: ReadonlySet<string> = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', 'time', '{']);

export const FRAME_DESCRIPTIONS: Record<FrameKind, string> = {
  'single-quote': "a single quote (')",
  'ansi-quote': "a $'…' quote",
  'double-quote': 'a double quote (")',
  backquote: 'a backquote (`)',
  parameter: '`${`',
  arithmetic: '`((`',
  paren: '`(`',
  substitution: '`$(`',
  brace: '`{`',
  if: '`if` (no `fi`)',
  loop: 'a loop (no `done`)',
  case: '`case` (no `esac`)',
};

const DELIMITER_END = /[\s;&|<>()]/;

/**
 * Reads the here-document announced by the `<<` just before `i`: `<<EOF`, `<<-EOF`, `<< 'EOF'`,
 * `<<"EOF"`, `<<\EOF`. Quoting only changes expansion in the body, not the delimiter. `end` is
 * the index of the last character read; `document` is missing when no delimiter follows.
 */
export function readHereDocument(text: string, i: number): { document?: HereDocument; end: number } {
  let j = i;
  const stripTabs = text[j] === '-';
  if (stripTabs) j++;
  while (text[j] === ' ' || text[j] === '\t') j++;
  let delimiter = '';
  while (j < text.length && !DELIMITER_END.test(text[j] as string)) {
    const c = text[j] as string;
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, j + 1);
      if (close === -1) break;
      delimiter += text.slice(j + 1, close);
      j = close + 1;
    } else if (c === '\\') {
      delimiter += text[j + 1] ?? '';
      j += 2;
    } else {
      delimiter += c;
      j++;
    }
  }
  return delimiter === '' ? { end: j - 1 } : { document: { delimiter, stripTabs }, end: j - 1 };
}
