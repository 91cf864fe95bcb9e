export type BatchErrorCode =
  | 'BATCH_NOT_FOUND'
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
  /** The chosen sandbox cannot be applied (an unsafe workspace root); nothing was approved. */
  | 'SANDBOX_REFUSED'
  /** Something that must run sandboxed (autonomy) was asked for where no sandbox works. */
  | 'SANDBOX_UNAVAILABLE'
  | 'INVALID_SANDBOX_CHOICE';

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
