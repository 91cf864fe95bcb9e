import { dlqReason, type InboxReasonCode } from './reasons.js';

/**
 * Commit messages for published outputs, as the ghost-bridge plan writes them. The subject line
 * is exactly the plan's (`bridge: results <id> (exit=<code>)`, `bridge: DLQ <reason>`,
 * `bridge: retries index update`); what the plan leaves out of the subject (which command a dead
 * letter was) goes in the body.
 */

/** `bridge: results <id> (exit=<code>)`; `none` when nothing ran (a rejected batch). */
export function resultsMessage(id: string, exitCode: number | null): string {
  return `bridge: results ${id} (exit=${exitCode ?? 'none'})`;
}

/** `bridge: DLQ <reason>` with the id (or file) and the stable code in the body. */
export function deadLetterMessage(code: InboxReasonCode, id: string, file: string): string {
  return `bridge: DLQ ${dlqReason(code)}\n\nid: ${id}\nfile: ${file}\ncode: ${code}`;
}

export const RETRIES_MESSAGE = 'bridge: retries index update';
