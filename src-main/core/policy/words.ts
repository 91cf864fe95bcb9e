import type { SyntaxNode } from './bashParser.js';
import type { Span } from './types.js';

/**
 * A word as bash would see it after quote removal, kept as pieces so later steps know which
 * characters came from quotes (no globbing, no brace expansion) and which from expansions.
 */
export type PieceKind = 'unquoted' | 'quoted' | 'known' | 'dynamic' | 'split';

export interface Piece {
  /**
   * `known`: a variable whose value an earlier static assignment gave (right for the deny rules,
   * not proof enough to allow); `dynamic`: only known when it runs; `split`: an unquoted `$IFS`.
   */
  kind: PieceKind;
  /** The value the piece contributes; for an unknown expansion, its source text. */
  text: string;
  /** Whether a dynamic piece sits inside double quotes (then it is not word-split). */
  inQuotes?: boolean;
  nulCut?: boolean;
}

export interface Word {
  pieces: Piece[];
  /** Source text of the word. */
  source: string;
  span: Span;
  /** A `$'…'` part held a NUL, where bash cut it short (the value is already cut). */
  nulCut?: boolean;
}

/** Statically known variable values, tracked in script order (`x=rm; $x -rf /`). */
export type KnownVariables = ReadonlyMap<string, string>;

const EXPANSION_TYPES = new Set([
  'simple_expansion',
  'expansion',
  'command_substitution',
  'process_substitution',
  'arithmetic_expansion',
]);

export function nodeSpan(node: SyntaxNode): Span {
  return { start: node.startIndex, end: node.endIndex };
}

/** Removes backslash escapes the way bash does outside quotes. */
function unquotedPieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal) pieces.push({ kind: 'unquoted', text: literal });
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\\' && i + 1 < text.length) {
      const next = text[i + 1] as string;
      i++;
      if (next === '\n') continue;
      flush();
      pieces.push({ kind: 'quoted', text: next });
      continue;
    }
    literal += char;
  }
  flush();
  return pieces;
}

/** Inside double quotes a backslash only escapes `$`, backquote, `"`, `\` and newline. */
function doubleQuotedText(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, escaped: string) => (escaped === '\n' ? '' : escaped));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/**
 * Decodes the body of a `$'...'` string. Bash stores the result as a C string, so a NUL (`\0`,
 * `\x00`, `\u0000`, `\c@`) ends it there: `$'-delete\0x'` is `-delete`.
 */
export function decodeAnsiC(body: string): { text: string; nulCut: boolean } {
  const decoded = decodeEscapes(body);
  const nul = decoded.indexOf('\0');
  return nul === -1 ? { text: decoded, nulCut: false } : { text: decoded.slice(0, nul), nulCut: true };
}

function decodeEscapes(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char !== '\\' || i + 1 >= body.length) {
      out += char;
      continue;
    }
    const next = body[++i] as string;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i))?.[0] ?? next;
      out += String.fromCharCode(parseInt(digits, 8) & 0xff);
      i += digits.length - 1;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const max = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const digits = new RegExp(`^[0-9a-fA-F]{1,${max}}`).exec(body.slice(i + 1))?.[0];
      if (!digits) {
        out += `\\${next}`;
        continue;
      }
      const codePoint = parseInt(digits, 16);
      out += codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '';
      i += digits.length;
    } else if (next === 'c' && i + 1 < body.length) {
      out += String.fromCharCode((body.charCodeAt(++i) & 0x1f) >>> 0);
    } else {
      out += `\\${next}`;
    }
  }
  return out;
}

function expansionPiece(node: SyntaxNode, inQuotes: boolean, vars: KnownVariables): Piece {
  const name = plainVariableName(node);
  if (name === 'IFS' && !inQuotes) return { kind: 'split', text: ' ' };
  const known = name === undefined ? undefined : vars.get(name);
  if (known !== undefined) return { kind: 'known', text: known, inQuotes };
  return { kind: 'dynamic', text: node.text, inQuotes };
}

/** `$NAME` or `${NAME}` without operators: the variable's name, otherwise undefined. */
export function plainVariableName(node: SyntaxNode): string | undefined {
  if (node.type === 'simple_expansion') {
    const child = node.namedChild(0);
    return child?.type === 'variable_name' ? child.text : undefined;
  }
  if (node.type === 'expansion') {
    const named = node.namedChildren;
    const first = named[0];
    const unnamedExtra = node.children.filter((c) => c && !c.isNamed && c.type !== '${' && c.type !== '}');
    if (named.length === 1 && first?.type === 'variable_name' && unnamedExtra.length === 0) return first.text;
  }
  return undefined;
}

/** Walks a word node into pieces; gaps between children are source text of the parent. */
function piecesOf(node: SyntaxNode, vars: KnownVariables): Piece[] {
  switch (node.type) {
    case 'word':
      return unquotedPieces(node.text);
    case 'command_name':
    case 'concatenation':
      return childrenWithGaps(node, node.startIndex, node.endIndex, vars, (gap) => unquotedPieces(gap));
    case 'number':
      if (node.namedChildCount > 0) return [{ kind: 'dynamic', text: node.text }];
      return unquotedPieces(node.text);
    case 'brace_expression':
    case 'extglob_pattern':
    case 'test_operator':
    case 'regex':
    case 'variable_name':
    case 'special_variable_name':
      return unquotedPieces(node.text);
    case 'raw_string':
      return [{ kind: 'quoted', text: node.text.slice(1, -1) }];
    case 'ansi_c_string': {
      const decoded = decodeAnsiC(node.text.slice(2, -1));
      return [{ kind: 'quoted', text: decoded.text, ...(decoded.nulCut ? { nulCut: true } : {}) }];
    }
    case 'string':
    case 'translated_string': {
      const open = node.type === 'string' ? 1 : 2;
      const text = node.text;
      const closed = text.length >= open + 1 && text.endsWith('"');
      const end = closed ? node.endIndex - 1 : node.endIndex;
      return childrenWithGaps(node, node.startIndex + open, end, vars, (gap) => [
        { kind: 'quoted', text: doubleQuotedText(gap) },
      ], true);
    }
    default:
      if (EXPANSION_TYPES.has(node.type)) return [expansionPiece(node, false, vars)];
      return [{ kind: 'dynamic', text: node.text }];
  }
}

function childrenWithGaps(
  node: SyntaxNode,
  start: number,
  end: number,
  vars: KnownVariables,
  gapPieces: (gap: string) => Piece[],
  inQuotes = false,
): Piece[] {
  const pieces: Piece[] = [];
  // The node's own text, indexed from its start (not the whole script's: that is a copy per word).
  const own = node.text;
  const source = { slice: (from: number, to: number): string => own.slice(from - node.startIndex, to - node.startIndex) };
  let cursor = start;
  for (const child of node.namedChildren) {
    if (!child || child.startIndex < start || child.endIndex > end) continue;
    const isExpansion = EXPANSION_TYPES.has(child.type);
    const isLeaf = child.type === 'string_content' || (node.type === 'word' && !isExpansion);
    if (isLeaf) continue;
    if (child.startIndex > cursor) {
      let gap = source.slice(cursor, child.startIndex);
      // `$"…"`: the grammar leaves the `$` of a translated string in the gap; it is not text.
      if (!inQuotes && child.type === 'string' && /(^|[^\\])\$$/.test(gap)) gap = gap.slice(0, -1);
      if (gap !== '') pieces.push(...gapPieces(gap));
    }
    if (inQuotes) {
      pieces.push(isExpansion ? expansionPiece(child, true, vars) : { kind: 'dynamic', text: child.text, inQuotes: true });
    } else {
      pieces.push(...piecesOf(child, vars));
    }
    cursor = child.endIndex;
  }
  if (end > cursor) pieces.push(...gapPieces(source.slice(cursor, end)));
  return pieces;
}

/** `~` and `~/…` are the home directory (static); `~name`, `~+`, `~-` depend on the system. */
function checkTilde(pieces: Piece[]): Piece[] {
  const first = pieces[0];
  if (first?.kind !== 'unquoted' || !first.text.startsWith('~')) return pieces;
  const prefixEnd = first.text.indexOf('/');
  const prefix = prefixEnd === -1 ? first.text : first.text.slice(0, prefixEnd);
  const alone = prefixEnd !== -1 || pieces.length === 1;
  if (prefix === '~' && alone) return pieces;
  return [{ kind: 'dynamic', text: first.text }, ...pieces.slice(1)];
}

export function evaluateWord(node: SyntaxNode, vars: KnownVariables = new Map()): Word {
  const pieces = checkTilde(piecesOf(node, vars));
  const word: Word = { pieces, source: node.text, span: nodeSpan(node) };
  if (pieces.some((p) => p.nulCut)) word.nulCut = true;
  return word;
}

/** Not fully known before it runs: allow needs every word static. */
export function isDynamic(word: Word): boolean {
  return word.pieces.some((p) => p.kind === 'dynamic' || p.kind === 'split' || p.kind === 'known');
}

/** Unknown even with the variables tracked so far (the deny rules can use `known` values). */
export function isUnknown(word: Word): boolean {
  return word.pieces.some((p) => p.kind === 'dynamic');
}

/** The word's value as far as it is known: unknown expansions stay as their source text. */
export function wordValue(word: Word): string {
  return word.pieces.map((p) => p.text).join('');
}

/** The value when the word is fully static, otherwise undefined. */
export function staticValue(word: Word): string | undefined {
  return isDynamic(word) ? undefined : wordValue(word);
}

export function hasGlob(word: Word): boolean {
  return word.pieces.some((p) => p.kind === 'unquoted' && /[*?[]/.test(p.text));
}
