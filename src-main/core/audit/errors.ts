/** Stable codes for everything the audit module refuses or cannot do. */
export type AuditErrorCode =
  /** Another live process holds `<file>.lock`. */
  | 'AUDIT_LOCKED'
  /** The existing log fails verification in a way recovery must not paper over. */
  | 'AUDIT_TAMPERED'
  /** Neither the log nor its head checkpoint exists. */
  | 'AUDIT_NOT_FOUND'
  /** The file system refused a read (permissions, a directory where the log should be, ...). */
  | 'AUDIT_UNREADABLE'
  /** The file system refused to create or open the log, its directory or its lock for writing. */
  | 'AUDIT_OPEN_FAILED'
  /** An event carries a key that looks like a secret or raw output. */
  | 'AUDIT_FORBIDDEN_FIELD'
  /** An event is not well formed (unknown event or field, wrong type). */
  | 'AUDIT_INVALID_EVENT'
  /** A write or fsync failed; the writer refuses further appends. */
  | 'AUDIT_WRITE_FAILED'
  /** `append` after `close`. */
  | 'AUDIT_CLOSED'
  /** The verification key was already taken off this machine. */
  | 'AUDIT_KEY_TAKEN';

/** The one error type the audit module throws or rejects with; `code` is what callers branch on. */
export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
    /** Machine-readable context, e.g. the lock holder's pid or the first bad record. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** `ENOENT` and friends, without trusting that `error` is an Error. */
export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
