/**
 * Splits command text into plain runs and *revealed* characters: the ones that make what a
 * person sees differ from what bash runs. The character class is the policy's own (shared).
 */
import { SUSPICIOUS_CHARACTER as SUSPICIOUS, describeCodePoint, escapeFor } from '../../../src-main/shared/suspiciousCharacters';

export { describeCodePoint, escapeFor };

export type CommandSegment = { kind: 'text'; text: string } | { kind: 'revealed'; text: string; codePoint: number; label: string };

/**
 * Cuts `text` into segments; joining the `text` of plain segments with the escapes of revealed
 * ones gives the exact command with every suspicious character made visible. Tab and newline are
 * ordinary layout and stay as they are.
 */
export function segmentCommand(text: string): CommandSegment[] {
  const segments: CommandSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(SUSPICIOUS)) {
    const index = match.index;
    if (index > last) segments.push({ kind: 'text', text: text.slice(last, index) });
    const codePoint = match[0].codePointAt(0) ?? 0;
    segments.push({ kind: 'revealed', text: escapeFor(codePoint), codePoint, label: describeCodePoint(codePoint) });
    last = index + match[0].length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}

/** The command as it is shown: suspicious characters replaced by their escapes. */
export function revealedText(text: string): string {
  return segmentCommand(text)
    .map((segment) => segment.text)
    .join('');
}
