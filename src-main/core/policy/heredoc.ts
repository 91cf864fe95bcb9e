import type { SyntaxNode } from './bashParser.js';

/**
 * Where bash ends a here-document, derived independently of the grammar: the delimiter is the
 * start word after quote removal; the body ends at the first line equal to it (leading tabs
 * removed for `<<-`). When the grammar's idea of the extent differs, what bash runs after the
 * body is not what the grammar parsed, so the caller asks and scans the whole text for denials.
 */

/** The delimiter bash compares lines with, and whether it was quoted (then the body is literal). */
export function heredocDelimiter(raw: string): { word: string; quoted: boolean } | undefined {
  if (/\$['"]/.test(raw) || raw.includes('\n')) return undefined;
  let word = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (char === "'") {
      const close = raw.indexOf("'", i + 1);
      if (close === -1) return undefined;
      word += raw.slice(i + 1, close);
      quoted = true;
      i = close;
    } else if (char === '"') {
      quoted = true;
      let k = i + 1;
      for (; k < raw.length && raw[k] !== '"'; k++) {
        if (raw[k] === '\\' && k + 1 < raw.length && '$`"\\'.includes(raw[k + 1] as string)) k++;
        word += raw[k];
      }
      if (k >= raw.length) return undefined;
      i = k;
    } else if (char === '\\') {
      quoted = true;
      if (i + 1 < raw.length) word += raw[++i];
    } else {
      word += char;
    }
  }
  return { word, quoted };
}

function lineStart(text: string, index: number): number {
  return text.lastIndexOf('\n', index - 1) + 1;
}

/** True when bash and the grammar agree on where the body starts and ends. */
export function checkHeredocExtent(
  script: string,
  start: SyntaxNode,
  body: SyntaxNode | undefined,
  end: SyntaxNode | undefined,
  delimiter: string,
  strip: boolean,
): boolean {
  let bodyStart = body && body.endIndex > body.startIndex ? body.startIndex : end ? lineStart(script, end.startIndex) : undefined;
  if (bodyStart === undefined) return false;
  // With `<<-` the grammar starts the body after the first line's leading tabs.
  while (strip && bodyStart > 0 && script[bodyStart - 1] === '\t') bodyStart--;
  // The body begins on a line after the operator, at the start of a line.
  if (bodyStart <= start.endIndex || (bodyStart > 0 && script[bodyStart - 1] !== '\n')) return false;
  let cursor = bodyStart;
  let bashEnd: number | undefined;
  while (cursor <= script.length) {
    const newline = script.indexOf('\n', cursor);
    const line = script.slice(cursor, newline === -1 ? undefined : newline);
    if ((strip ? line.replace(/^\t+/, '') : line) === delimiter) {
      bashEnd = cursor;
      break;
    }
    if (newline === -1) break;
    cursor = newline + 1;
  }
  const grammarEnd = end && !end.isMissing && end.endIndex > end.startIndex ? lineStart(script, end.startIndex) : undefined;
  return bashEnd === grammarEnd;
}
