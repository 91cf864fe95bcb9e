/**
 * Splits command text into plain runs and the characters a person must not take at face value:
 * the ones that make what a person sees differ from what bash runs (the policy's own class,
 * shared), letters from other scripts drawn like ASCII, and every other non-ASCII character.
 */
import {
  NON_ASCII_CHARACTER,
  SUSPICIOUS_CHARACTER,
  describeCodePoint,
  escapeFor,
  lookAlikeOf,
} from '../../../src-main/shared/suspiciousCharacters';

export { describeCodePoint, escapeFor };

export type CommandSegment =
  | { kind: 'text'; text: string }
  /** Shown as its escape: an invisible or reordering character, or a look-alike of ASCII (`ѕ` for `s`). */
  | { kind: 'revealed'; text: string; codePoint: number; label: string; why: 'invisible' | 'look-alike' }
  /** Shown as itself, marked: any other non-ASCII character (`é`, `中`). */
  | { kind: 'marked'; text: string; codePoint: number; label: string };

const INVISIBLE = new RegExp(SUSPICIOUS_CHARACTER.source, 'u');

const SCRIPTS = ['Cyrillic', 'Greek', 'Armenian', 'Hebrew', 'Arabic', 'Cherokee', 'Latin', 'Han', 'Hiragana', 'Katakana', 'Hangul'] as const;
const SCRIPT_TESTS = SCRIPTS.map((script) => ({ script, test: new RegExp(`^\\p{Script=${script}}$`, 'u') }));

function scriptOf(char: string): string | undefined {
  return SCRIPT_TESTS.find(({ test }) => test.test(char))?.script;
}

function describeCharacter(char: string, codePoint: number, lookAlike: string | undefined): string {
  const script = scriptOf(char);
  const what = script ? `${script} character ${describeCodePoint(codePoint)}` : describeCodePoint(codePoint);
  return lookAlike === undefined ? `${what}, not ASCII` : `${what}, looks like "${lookAlike}" but is not`;
}

/**
 * Cuts `text` into segments. Joining the `text` of every segment gives the command as shown:
 * invisible characters and look-alikes replaced by escapes such as `\u{455}`, other non-ASCII
 * characters as themselves (marked by the view). Tab and newline are ordinary layout and stay.
 */
export function segmentCommand(text: string): CommandSegment[] {
  const segments: CommandSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(NON_ASCII_CHARACTER)) {
    const index = match.index;
    const char = match[0];
    if (index > last) segments.push({ kind: 'text', text: text.slice(last, index) });
    const codePoint = char.codePointAt(0) ?? 0;
    const lookAlike = lookAlikeOf(char);
    if (INVISIBLE.test(char)) {
      segments.push({ kind: 'revealed', text: escapeFor(codePoint), codePoint, label: describeCodePoint(codePoint), why: 'invisible' });
    } else if (lookAlike !== undefined) {
      segments.push({ kind: 'revealed', text: escapeFor(codePoint), codePoint, label: describeCharacter(char, codePoint, lookAlike), why: 'look-alike' });
    } else {
      segments.push({ kind: 'marked', text: char, codePoint, label: describeCharacter(char, codePoint, undefined) });
    }
    last = index + char.length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}

/** The command as it is shown: invisible characters and look-alikes replaced by their escapes. */
export function revealedText(text: string): string {
  return segmentCommand(text)
    .map((segment) => segment.text)
    .join('');
}
