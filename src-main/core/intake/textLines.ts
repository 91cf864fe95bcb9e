/** One line of the pasted text, without its line break. */
export interface SourceLine {
  text: string;
  /** 1-based line number. */
  line: number;
  /** UTF-16 offset of the line's first character in the pasted text. */
  offset: number;
}

export interface TextLines {
  lines: SourceLine[];
  /** The 1-based line holding a UTF-16 offset. */
  lineAt(offset: number): number;
}

/**
 * Splits text into lines at `\n`. A `\r` right before the `\n` belongs to the line break (text
 * pasted from Windows), so it is not part of the line; any other `\r` is kept as content, where
 * the policy can see it.
 */
export function splitLines(text: string): TextLines {
  const lines: SourceLine[] = [];
  let start = 0;
  for (;;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const contentEnd = newline !== -1 && end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    lines.push({ text: text.slice(start, contentEnd), line: lines.length + 1, offset: start });
    if (newline === -1) break;
    start = newline + 1;
  }
  return {
    lines,
    lineAt(offset) {
      let low = 0;
      let high = lines.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if ((lines[middle] as SourceLine).offset <= offset) low = middle;
        else high = middle - 1;
      }
      return low + 1;
    },
  };
}

/** True for a line holding nothing but spaces and tabs (other invisible characters are content). */
export function isBlank(text: string): boolean {
  return /^[ \t]*$/.test(text);
}
