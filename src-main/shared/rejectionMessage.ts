import { describeCodePoint } from './suspiciousCharacters.js';

/**
 * What a person may tell the agent when rejecting its batch ("use the test script instead").
 * It becomes the agent's tool error, is stored on the batch and recorded in the audit, so it is
 * plain text of bounded length. Shared by main (which decides) and the reject dialog (which
 * counts and warns as the person types), so the two never disagree. No dependencies beyond
 * suspiciousCharacters: the renderer bundles it.
 */
export const MAX_REJECTION_MESSAGE_CHARS = 2000;

/**
 * Refused: control characters (C0, DEL, C1) other than newline and tab, line and paragraph
 * separators, and the invisible direction marks, embeddings, overrides and isolates that would
 * make the text read differently to the agent than it did to the person.
 */
// Control characters are the point of this pattern.
// eslint-disable-next-line no-control-regex
const REFUSED = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

export type RejectionMessageCheck =
  | { ok: true; text: string | null }
  | { ok: false; code: 'REJECTION_MESSAGE_TOO_LONG' | 'REJECTION_MESSAGE_INVALID'; message: string };

/** Characters as people count them: code points, so an emoji is one, never its UTF-16 length. */
export function messageLength(text: string): number {
  return Array.from(text).length;
}

/**
 * The message as it would be stored: Windows line ends made `\n`, trimmed, null for none (empty or
 * only whitespace); or why it is refused, with a stable code: REJECTION_MESSAGE_TOO_LONG (over
 * MAX_REJECTION_MESSAGE_CHARS after trimming), REJECTION_MESSAGE_INVALID (a refused character,
 * named with its position).
 */
export function checkRejectionMessage(message: string): RejectionMessageCheck {
  const text = message.replace(/\r\n?/g, '\n').trim();
  if (text === '') return { ok: true, text: null };
  const length = messageLength(text);
  if (length > MAX_REJECTION_MESSAGE_CHARS) {
    return { ok: false, code: 'REJECTION_MESSAGE_TOO_LONG', message: `the message for the agent is ${length} characters long; at most ${MAX_REJECTION_MESSAGE_CHARS} are allowed` };
  }
  const refused = REFUSED.exec(text);
  if (refused) {
    const at = messageLength(text.slice(0, refused.index)) + 1;
    const character = describeCodePoint(refused[0].codePointAt(0) as number);
    return { ok: false, code: 'REJECTION_MESSAGE_INVALID', message: `the message for the agent contains ${character} at character ${at}; only text, newlines and tabs are allowed` };
  }
  return { ok: true, text };
}
