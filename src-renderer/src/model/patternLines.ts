/**
 * Allow patterns are edited one per line. Blank lines are ignored; `lines[i]` is the 1-based
 * line number of `patterns[i]`, so a problem reported by index can be shown by line.
 */
export function patternsFromText(text: string): { patterns: string[]; lines: number[] } {
  const patterns: string[] = [];
  const lines: number[] = [];
  text.split('\n').forEach((line, index) => {
    const pattern = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (pattern.trim() === '') return;
    patterns.push(pattern);
    lines.push(index + 1);
  });
  return { patterns, lines };
}

/** Secret environment names, one per line or separated by spaces or commas. */
export function namesFromText(text: string): string[] {
  return text.split(/[\s,]+/).filter((name) => name !== '');
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
