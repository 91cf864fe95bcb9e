import { checkRejectionMessage } from '../../shared/rejectionMessage.js';
import { BatchError } from './errors.js';

export { MAX_REJECTION_MESSAGE_CHARS } from '../../shared/rejectionMessage.js';

/**
 * The message a person gave with a rejection, as stored: trimmed, null for none. Throws
 * REJECTION_MESSAGE_TOO_LONG or REJECTION_MESSAGE_INVALID (see shared/rejectionMessage.ts), so a
 * refused message leaves the batch as it was.
 */
export function validateRejectionMessage(message: unknown): string | null {
  if (message === undefined || message === null) return null;
  if (typeof message !== 'string') throw new BatchError('REJECTION_MESSAGE_INVALID', 'the message for the agent must be text');
  const checked = checkRejectionMessage(message);
  if (!checked.ok) throw new BatchError(checked.code, checked.message);
  return checked.text;
}
