export type BatchErrorCode =
  | 'BATCH_NOT_FOUND'
  /** A short id that is the start of more than one batch id. */
  | 'BATCH_ID_AMBIGUOUS'
  /** A short id under MIN_ID_PREFIX characters that is not a whole id. */
  | 'BATCH_ID_TOO_SHORT'
  /** A list query that is not valid (bad cursor, limit out of range). */
  | 'INVALID_QUERY'
  | 'ENTRY_NOT_FOUND'
  | 'BATCH_EMPTY'
  | 'BATCH_TOO_LARGE'
  | 'INVALID_BATCH'
  /** A working directory is relative, missing or not a directory (checked when proposed). */
  | 'CWD_NOT_FOUND'
  | 'ILLEGAL_TRANSITION'
  | 'NOTHING_APPROVED'
  | 'ENTRY_BLOCKED'
  /** File changes (a patch entry) are only ever approved by a person. */
  | 'PATCH_NEEDS_PERSON'
  | 'STORE_FAILED'
  /** A stored batch file that no longer loads (it was set aside, and is no longer listed). */
  | 'BATCH_UNREADABLE'
  /** The chosen sandbox cannot be applied (an unsafe workspace root); nothing was approved. */
  | 'SANDBOX_REFUSED'
  /** Something that must run sandboxed (autonomy) was asked for where no sandbox works. */
  | 'SANDBOX_UNAVAILABLE'
  | 'INVALID_SANDBOX_CHOICE'
  /** The message for the agent given with a rejection is longer than MAX_REJECTION_MESSAGE_CHARS. */
  | 'REJECTION_MESSAGE_TOO_LONG'
  /** The message for the agent holds control or invisible direction characters (newlines and tabs are fine). */
  | 'REJECTION_MESSAGE_INVALID';

/** A refused batch operation. `code` is stable; `message` is for people. */
export class BatchError extends Error {
  constructor(
    readonly code: BatchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BatchError';
  }
}
