import { MAX_JSON_DEPTH } from './jsonValue.js';

/**
 * A balanced `{…}` or `[…]` in free text: a place where a JSON value may be. `closed: false` marks
 * an opening bracket that never closes (a truncated paste), kept so it can be reported.
 */
export interface JsonRegion {
  start: number;
  /** Exclusive; for an unclosed region, where the scan gave up on it. */
  end: number;
  closed: boolean;
  /** Balanced regions inside this one, in order (recorded to MAX_JSON_DEPTH levels). */
  children: JsonRegion[];
}

/**
 * Finds the outermost bracketed regions of `text[start, end)` in one linear pass. Brackets inside
 * JSON strings do not count; a string is only tracked inside brackets, so quotes in prose cannot
 * derail the scan. JSON strings never hold a raw line break, so a line break inside one, or a
 * mismatched closing bracket, abandons every open region (they cannot be JSON) and keeps what was
 * balanced inside them. The stack of open brackets is two number arrays, so even a megabyte of
 * `[` costs little memory.
 */
export function findJsonRegions(text: string, start: number, end: number): JsonRegion[] {
  const roots: JsonRegion[] = [];
  const openStarts: number[] = [];
  const openBrackets: number[] = [];
  /**
   * `children[d]`: regions closed directly inside the open bracket at depth `d`. Entries above
   * the current depth are stale (their brackets closed) and are overwritten on the next push.
   */
  const children: JsonRegion[][] = [];
  let inString = false;

  const abandon = (at: number): void => {
    const bottom = openStarts[0];
    if (bottom === undefined) return;
    roots.push({ start: bottom, end: at, closed: false, children: children.slice(0, openStarts.length).flat() });
    openStarts.length = 0;
    openBrackets.length = 0;
    children.length = 0;
  };

  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      else if (c === 0x0a) {
        inString = false;
        abandon(i);
      }
      continue;
    }
    if (c === 0x22) {
      inString = openStarts.length > 0;
    } else if (c === 0x7b || c === 0x5b) {
      if (openStarts.length < MAX_JSON_DEPTH) children[openStarts.length] = [];
      openStarts.push(i);
      openBrackets.push(c);
    } else if (c === 0x7d || c === 0x5d) {
      const depth = openStarts.length - 1;
      if (depth < 0) continue;
      if (openBrackets[depth] !== c - 2) {
        abandon(i); // `{` is `}` - 2 and `[` is `]` - 2
        continue;
      }
      const region: JsonRegion = { start: openStarts.pop() as number, end: i + 1, closed: true, children: children[depth] ?? [] };
      openBrackets.pop();
      if (depth === 0) roots.push(region);
      else if (depth <= MAX_JSON_DEPTH) children[depth - 1]?.push(region);
    }
  }
  abandon(end);
  return roots;
}
