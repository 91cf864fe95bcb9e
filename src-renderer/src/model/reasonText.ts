import { escapeForMessage } from '../../../src-main/shared/suspiciousCharacters';
import type { Reason } from './contract';

/**
 * A reason's message as the UI prints it: non-ASCII and non-printing characters escaped (also
 * for batches stored before the policy escaped its messages itself).
 */
export function reasonMessage(reason: Reason): string {
  return escapeForMessage(reason.message);
}

/**
 * The message after a verdict label ("BLOCKED because …"): a leading `blocked: ` that repeats
 * the label is dropped, so it never reads "BLOCKED because blocked: …".
 */
export function reasonAfterLabel(reason: Reason): string {
  return reasonMessage(reason).replace(/^blocked:\s*/i, '');
}
