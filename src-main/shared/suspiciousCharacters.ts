/**
 * Characters that make what a person sees differ from what bash runs: format characters
 * (zero-width, bidirectional controls, tags), control characters other than tab and newline,
 * any whitespace other than the plain space, private-use and unassigned code points, variation
 * selectors and blank-looking letters (Hangul fillers, braille blank).
 *
 * Shared by the policy (which asks a person about them) and the renderer (which shows them as
 * escapes), so the two can never disagree. No dependencies: the renderer bundles it.
 */
export const SUSPICIOUS_CHARACTER =
  // Control characters and combining marks are the point of this pattern.
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Variation_Selector}\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u034F\u115F\u1160\u180E\u2800\u3164\uFFA0]/gu;

const NAMES: Record<number, string> = {
  0x0000: 'NUL',
  0x000d: 'carriage return',
  0x001b: 'escape',
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
  0x2060: 'word joiner',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0xfeff: 'zero width no-break space',
};

/** `U+200B`. */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `U+200B (zero width space)` style description of a code point. */
export function describeCodePoint(codePoint: number): string {
  const name = NAMES[codePoint];
  return name ? `${formatCodePoint(codePoint)} (${name})` : formatCodePoint(codePoint);
}

/** The visible escape for a code point: `\u{200B}`. */
export function escapeFor(codePoint: number): string {
  return `\\u{${codePoint.toString(16).toUpperCase()}}`;
}
