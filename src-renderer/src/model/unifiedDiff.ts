/**
 * Splits a git-style unified diff (as core/patch writes it) into files and numbered lines for
 * display. Only reads what it is given: the file list and the diff come from the same stored
 * entry, so what is shown is what was computed and will be applied.
 */

export type DiffLineKind = 'add' | 'remove' | 'context' | 'hunk' | 'note';

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
  oldNumber: number | null;
  newNumber: number | null;
}

export interface DiffSection {
  /** `a/x b/y` of the `diff --git` line. */
  header: string;
  lines: DiffLine[];
}

export function parseUnifiedDiff(diff: string): DiffSection[] {
  const sections: DiffSection[] = [];
  let current: DiffSection | null = null;
  let oldNumber = 0;
  let newNumber = 0;
  let inHunk = false;
  const text = diff.endsWith('\n') ? diff.slice(0, -1) : diff;
  if (text === '') return sections;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = { header: line.slice('diff --git '.length), lines: [] };
      sections.push(current);
      inHunk = false;
      continue;
    }
    if (!current) continue;
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      oldNumber = Number(hunk[1]);
      newNumber = Number(hunk[2]);
      // An empty side is written `-0,0`: its first line would be line 1.
      if (oldNumber === 0) oldNumber = 1;
      if (newNumber === 0) newNumber = 1;
      inHunk = true;
      current.lines.push({ kind: 'hunk', text: line, oldNumber: null, newNumber: null });
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith('+')) current.lines.push({ kind: 'add', text: line.slice(1), oldNumber: null, newNumber: newNumber++ });
    else if (line.startsWith('-')) current.lines.push({ kind: 'remove', text: line.slice(1), oldNumber: oldNumber++, newNumber: null });
    else if (line.startsWith('\\')) current.lines.push({ kind: 'note', text: line.slice(2), oldNumber: null, newNumber: null });
    else current.lines.push({ kind: 'context', text: line.slice(1), oldNumber: oldNumber++, newNumber: newNumber++ });
  }
  return sections;
}
