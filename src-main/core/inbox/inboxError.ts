export type InboxErrorCode =
  /** meta/seen.json or meta/inflight.json cannot be read or parsed: nothing is processed until a person looks. */
  | 'INBOX_META_UNREADABLE'
  /** The inbox is enabled without a folder, or the folder is not usable. */
  | 'INBOX_NOT_CONFIGURED';

/** A broken invariant or an unusable inbox. Refusals of command files are not errors: they are dead letters. */
export class InboxError extends Error {
  constructor(
    readonly code: InboxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InboxError';
  }
}
