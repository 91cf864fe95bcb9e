import type { Span } from './types.js';
import { SUSPICIOUS_CHARACTER as SUSPICIOUS, describeCodePoint, escapeFor, formatCodePoint } from '../../shared/suspiciousCharacters.js';

export { describeCodePoint, formatCodePoint };

export interface SuspiciousCharacter {
  codePoint: number;
  /** `U+200B` style name of the code point. */
  label: string;
  span: Span;
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
    return escapeFor(codePoint);
  });
}

export function isAscii(text: string): boolean {
  return /^[\x20-\x7E]*$/.test(text);
}
