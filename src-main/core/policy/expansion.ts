import type { Word } from './words.js';

/**
 * Brace expansion and word splitting as bash performs them on one word, far enough to see the
 * argument vector an attacker is hiding: `{rm,-rf,/}` is three words, `rm${IFS}-rf` is two.
 */

interface Char {
  char: string;
  /** Unquoted literal: brace and glob characters are special. */
  active: boolean;
}

export const EXPANSION_LIMIT = 256;

export interface ExpandedWord {
  /** The fields the word becomes; undefined when there would be more than EXPANSION_LIMIT. */
  fields: string[] | undefined;
  /** Whether brace expansion changed anything. */
  braces: boolean;
}

function splitFields(word: Word, separators: RegExp): Char[][] {
  const fields: Char[][] = [[]];
  const current = (): Char[] => fields[fields.length - 1] as Char[];
  const push = (text: string, active: boolean): void => {
    for (const char of text) current().push({ char, active });
  };
  for (const piece of word.pieces) {
    if (piece.kind === 'split') {
      fields.push([]);
    } else if ((piece.kind === 'dynamic' || piece.kind === 'known') && !piece.inQuotes) {
      const parts = piece.text.split(separators);
      parts.forEach((part, index) => {
        if (index > 0) fields.push([]);
        push(part, false);
      });
    } else {
      push(piece.text, piece.kind === 'unquoted');
    }
  }
  return fields.filter((field, index) => field.length > 0 || (index === 0 && fields.length === 1));
}

/** Finds the first active `{` with a matching `}` whose body has a top-level comma or `..`. */
function findBraceGroup(chars: Char[]): { open: number; close: number; commas: number[] } | undefined {
  for (let open = 0; open < chars.length; open++) {
    const c = chars[open] as Char;
    if (!c.active || c.char !== '{') continue;
    let depth = 0;
    const commas: number[] = [];
    for (let i = open + 1; i < chars.length; i++) {
      const d = chars[i] as Char;
      if (!d.active) continue;
      if (d.char === '{') depth++;
      else if (d.char === '}') {
        if (depth === 0) {
          const body = chars.slice(open + 1, i).map((x) => x.char).join('');
          if (commas.length > 0 || /^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])(\.\.-?\d+)?$/.test(body)) {
            return { open, close: i, commas };
          }
          break;
        }
        depth--;
      } else if (d.char === ',' && depth === 0) commas.push(i);
    }
  }
  return undefined;
}

function sequence(body: string): string[] {
  const [from = '', to = '', stepText] = body.split('..');
  const step = Math.max(1, Math.abs(parseInt(stepText ?? '1', 10)) || 1);
  const numeric = /^-?\d+$/.test(from) && /^-?\d+$/.test(to);
  const a = numeric ? parseInt(from, 10) : from.charCodeAt(0);
  const b = numeric ? parseInt(to, 10) : to.charCodeAt(0);
  const out: string[] = [];
  const direction = a <= b ? 1 : -1;
  for (let v = a; direction > 0 ? v <= b : v >= b; v += direction * step) {
    out.push(numeric ? String(v) : String.fromCharCode(v));
    if (out.length > EXPANSION_LIMIT) break;
  }
  return out;
}

function braceExpand(chars: Char[], budget: { left: number }): Char[][] | undefined {
  const group = findBraceGroup(chars);
  if (!group) return [chars];
  const prefix = chars.slice(0, group.open);
  const suffix = chars.slice(group.close + 1);
  let alternatives: Char[][];
  if (group.commas.length > 0) {
    const bounds = [group.open, ...group.commas, group.close];
    alternatives = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
      alternatives.push(chars.slice((bounds[i] as number) + 1, bounds[i + 1]));
    }
  } else {
    const body = chars.slice(group.open + 1, group.close).map((c) => c.char).join('');
    alternatives = sequence(body).map((value) => [...value].map((char) => ({ char, active: false })));
  }
  const results: Char[][] = [];
  for (const alternative of alternatives) {
    const expanded = braceExpand([...prefix, ...alternative, ...suffix], budget);
    if (!expanded) return undefined;
    results.push(...expanded);
    budget.left -= expanded.length;
    if (budget.left < 0) return undefined;
  }
  return results;
}

/** IFS characters as a splitting pattern (`IFS=,` splits `$x` at commas). */
function separatorsOf(ifs: string | undefined): RegExp {
  if (ifs === undefined) return /[ \t\n]+/;
  if (ifs === '') return /(?!)/;
  return new RegExp(`[${ifs.replace(/[\\\]^-]/g, '\\$&')}]+`);
}

/** `ifs`: the value of IFS when an earlier assignment set it statically. */
export function expandWord(word: Word, ifs?: string): ExpandedWord {
  // Most words have no braces and nothing to split: one field, as written.
  if (word.pieces.every((p) => p.kind === 'quoted' || (p.kind === 'unquoted' && !p.text.includes('{')) || ((p.kind === 'dynamic' || p.kind === 'known') && p.inQuotes))) {
    return { fields: [word.pieces.map((p) => p.text).join('')], braces: false };
  }
  const budget = { left: EXPANSION_LIMIT };
  const fields: string[] = [];
  let braces = false;
  for (const field of splitFields(word, separatorsOf(ifs))) {
    const expanded = braceExpand(field, budget);
    if (!expanded) return { fields: undefined, braces: true };
    if (expanded.length !== 1 || expanded[0] !== field) braces = true;
    for (const chars of expanded) {
      // Bash drops words that brace expansion made empty only when unquoted; keep it simple.
      fields.push(chars.map((c) => c.char).join(''));
    }
  }
  return { fields, braces };
}
