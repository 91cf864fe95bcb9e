import type { Span } from './types.js';

/**
 * Characters that make what a person sees differ from what bash runs: format characters
 * (zero-width, bidirectional controls, tags), control characters other than tab and newline,
 * any whitespace other than the plain space, private-use and unassigned code points, variation
 * selectors and blank-looking letters (Hangul fillers, braille blank).
 */
const SUSPICIOUS =
  // Control characters and combining marks are the point of this pattern.
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Variation_Selector}\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u034F\u115F\u1160\u180E\u2800\u3164\uFFA0]/gu;

export interface SuspiciousCharacter {
  codePoint: number;
  /** `U+200B` style name of the code point. */
  label: string;
  span: Span;
}

export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

const NAMES: Record<number, string> = {
  0x00a0: 'no-break space',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0x2060: 'word joiner',
  0xfeff: 'zero width no-break space',
  0x000d: 'carriage return',
  0x001b: 'escape',
  0x0000: 'NUL',
};

export function describeCodePoint(codePoint: number): string {
  const name = NAMES[codePoint];
  return name ? `${formatCodePoint(codePoint)} (${name})` : formatCodePoint(codePoint);
}

/** Finds every suspicious character, in order, with its position. */
export function findSuspiciousCharacters(text: string): SuspiciousCharacter[] {
  const found: SuspiciousCharacter[] = [];
  for (const match of text.matchAll(SUSPICIOUS)) {
    const codePoint = match[0].codePointAt(0) ?? 0;
    found.push({
      codePoint,
      label: describeCodePoint(codePoint),
      span: { start: match.index, end: match.index + match[0].length },
    });
  }
  return found;
}

/**
 * Renders text with every suspicious character replaced by a visible escape such as `\u{200B}`,
 * so that a person sees exactly which code points are there. Backslashes stay as they are.
 */
export function revealSuspiciousCharacters(text: string): string {
  return text.replace(SUSPICIOUS, (char) => {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint === 0x0a || codePoint === 0x09) return char;
    return `\\u{${codePoint.toString(16).toUpperCase()}}`;
  });
}

export function isAscii(text: string): boolean {
  return /^[\x20-\x7E]*$/.test(text);
}
