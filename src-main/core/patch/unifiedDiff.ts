/**
 * Unified diffs in git's format (`diff --git`, `new file mode`, `rename from`, `@@` hunks with
 * three lines of context, `\ No newline at end of file`), so `git apply` and every diff viewer
 * read them. Binary content is summarised as git does (`Binary files a/x and b/x differ`); text
 * too large to diff line by line gets one summary line instead of hunks.
 */

/** Text larger than this (either side) is summarised, not diffed. */
export const MAX_DIFF_BYTES = 256 * 1024;
/** Edit scripts longer than this fall back to "remove everything, add everything" (still a correct diff). */
const MAX_EDIT_DISTANCE = 4000;
const CONTEXT = 3;

type Edit = { kind: ' ' | '-' | '+'; line: string };

/** Lines of `text`, each without its newline; `trailingNewline` says whether the last one had one. */
export function splitLines(text: string): { lines: string[]; trailingNewline: boolean } {
  if (text === '') return { lines: [], trailingNewline: true };
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, trailingNewline };
}

/** Myers' O(ND) shortest edit script between two line arrays. */
export function diffLines(a: string[], b: string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head: Edit[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  const tail: Edit[] = a.slice(endA).map((line) => ({ kind: ' ', line }));
  const middle = myers(a.slice(start, endA), b.slice(start, endB));
  return [...head, ...middle, ...tail];
}

function myers(a: string[], b: string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const replaceAll = (): Edit[] => [...a.map((line): Edit => ({ kind: '-', line })), ...b.map((line): Edit => ({ kind: '+', line }))];
  if (n === 0 || m === 0) return replaceAll();
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number)) ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d, offset);
    }
    v = next;
  }
  return replaceAll();
}

function backtrack(trace: Int32Array[], a: string[], b: string[], depth: number, offset: number): Edit[] {
  const edits: Edit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = depth; d > 0; d--) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number));
    const previousK = down ? k + 1 : k - 1;
    const previousX = v[offset + previousK] as number;
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      y--;
      edits.push({ kind: ' ', line: a[--x] as string });
    }
    if (down) edits.push({ kind: '+', line: b[--y] as string });
    else edits.push({ kind: '-', line: a[--x] as string });
  }
  while (x > 0 && y > 0) {
    y--;
    edits.push({ kind: ' ', line: a[--x] as string });
  }
  return edits.reverse();
}

/** The `@@` hunks between two texts (no file header); empty when they are equal. Counts added and removed lines. */
export function hunks(oldText: string, newText: string): { text: string; additions: number; deletions: number } {
  const before = splitLines(oldText);
  const after = splitLines(newText);
  const edits = diffLines(before.lines, after.lines);
  // Mark the last line of each side that lacks a newline, as git does.
  const oldLast = before.trailingNewline ? -1 : before.lines.length - 1;
  const newLast = after.trailingNewline ? -1 : after.lines.length - 1;
  const rows: Array<Edit & { oldIndex: number; newIndex: number }> = [];
  let oldIndex = 0;
  let newIndex = 0;
  for (const edit of edits) {
    rows.push({ ...edit, oldIndex, newIndex });
    if (edit.kind !== '+') oldIndex++;
    if (edit.kind !== '-') newIndex++;
  }
  // A context line that ends one side without a newline but not the other is really a change.
  const split = rows.flatMap((row) =>
    row.kind === ' ' && (row.oldIndex === oldLast) !== (row.newIndex === newLast) ? [{ ...row, kind: '-' as const }, { ...row, kind: '+' as const }] : [row],
  );
  rows.splice(0, rows.length, ...split);
  const changed = rows.flatMap((row, index) => (row.kind === ' ' ? [] : [index]));
  const groups: number[][] = [];
  for (const index of changed) {
    const group = groups.at(-1);
    // Changes closer than twice the context share a hunk, as in diff -u.
    if (group && index - (group.at(-1) as number) - 1 <= 2 * CONTEXT) group.push(index);
    else groups.push([index]);
  }
  let additions = 0;
  let deletions = 0;
  const out: string[] = [];
  for (const group of groups) {
    const slice = rows.slice(Math.max(0, (group[0] as number) - CONTEXT), Math.min(rows.length, (group.at(-1) as number) + 1 + CONTEXT));
    const head = slice[0] as (typeof rows)[number];
    const oldCount = slice.filter((r) => r.kind !== '+').length;
    const newCount = slice.filter((r) => r.kind !== '-').length;
    out.push(`@@ -${range(head.oldIndex, oldCount)} +${range(head.newIndex, newCount)} @@`);
    for (const row of slice) {
      out.push(`${row.kind}${row.line}`);
      if (row.kind === '+') additions++;
      if (row.kind === '-') deletions++;
      const endsOld = row.kind !== '+' && row.oldIndex === oldLast;
      const endsNew = row.kind !== '-' && row.newIndex === newLast;
      if (endsOld || endsNew) out.push('\\ No newline at end of file');
    }
  }
  return { text: out.length === 0 ? '' : `${out.join('\n')}\n`, additions, deletions };
}

function range(start: number, count: number): string {
  // Unified diff line numbers are 1-based; an empty side is written as `0,0`.
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}
