import { PATCH_ERROR_CODES } from '../patch/types.js';

/**
 * Why a command file was not run. Each code is stable (tests, dead letters and the audit trail
 * carry it); the message next to it is for people and never holds a secret.
 */
export const INBOX_REASON_CODES = [
  /** The file is not UTF-8 JSON. */
  'NOT_JSON',
  /** The file is empty. */
  'EMPTY',
  /** The file is larger than {@link MAX_COMMAND_FILE_BYTES}. */
  'TOO_LARGE',
  /** The JSON does not have the command shape (fields, types, formats, floats). */
  'SCHEMA_INVALID',
  /** `action` is neither `runBatch` nor `applyPatch`. */
  'UNSUPPORTED_ACTION',
  /** `patchType` is not one Leash applies (`hybrid`, `inline`). */
  'UNSUPPORTED_PATCH_TYPE',
  /** More than 10 entries. */
  'TOO_MANY_ENTRIES',
  /** An entry's `timeoutMs` is beyond `constraints.maxRuntimeMs`. */
  'OVER_LIMIT',
  /** No inbox secret is configured, so nothing can be verified. */
  'NO_SECRET',
  /** The `hmac` does not match under any configured secret. */
  'BAD_SIGNATURE',
  /** `expires_at` has passed. */
  'EXPIRED',
  /** `issued_at` is further in the future than the allowed clock skew. */
  'NOT_YET_VALID',
  /** The id was already accepted (in flight, archived, or has results). */
  'REPLAYED_ID',
  /** The nonce was already used by another accepted command. */
  'REPLAYED_NONCE',
  /** Leash stopped while the command's batch was running; it is never re-run. */
  'INTERRUPTED',
  /** An `applyPatch` refused or failed: see core/patch/types.ts (PATH_ESCAPE, HIDDEN, CONSTRAINT_VIOLATED, …). */
  ...PATCH_ERROR_CODES,
] as const;

export type InboxReasonCode = (typeof INBOX_REASON_CODES)[number];

export interface InboxRejection {
  code: InboxReasonCode;
  message: string;
}

/** The reason as the ghost-bridge plan spells it (`expired`, `path_escape`, `hidden`): the code in lower case. */
export function dlqReason(code: InboxReasonCode): string {
  return code.toLowerCase();
}

export function rejection(code: InboxReasonCode, message: string): InboxRejection {
  return { code, message };
}
