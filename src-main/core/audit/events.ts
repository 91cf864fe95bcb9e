/**
 * What an audit record says. The on-disk format is described in FORMAT.md beside this file and at
 * the top of writer.ts; this file holds the names and types both of them refer to.
 */

/** Every event the audit trail knows. Adding one is a format change: update FORMAT.md too. */
export const AUDIT_EVENTS = [
  'APP_STARTED',
  'APP_STOPPED',
  'BATCH_CREATED',
  'BATCH_APPROVED',
  'BATCH_REJECTED',
  /** An approved batch went back to awaiting approval: a person withdrew it, or Leash stopped before it ran. */
  'BATCH_UNAPPROVED',
  'ENTRY_STARTED',
  'ENTRY_FINISHED',
  'COMMAND_BLOCKED',
  'ENTRY_SKIPPED',
  'BATCH_FINISHED',
  'BATCH_CANCELLED',
  'EMERGENCY_STOP',
  'DRY_RUN',
  'AUTONOMY_ENABLED',
  'AUTONOMY_DISABLED',
  'AUTH_FAILURE',
  'SETTINGS_CHANGED',
  'AUDIT_RECOVERED',
  // Forward-secure sealing (sealer.ts, FORMAT.md "Seals").
  'AUDIT_SEALING_STARTED',
  'AUDIT_SEALED',
  // Signed command files dropped into the inbox (core/inbox).
  'INBOX_ACCEPTED',
  'INBOX_REJECTED',
  'INBOX_RESULT_WRITTEN',
  'INBOX_PUBLISHED',
  'INBOX_PUBLISH_FAILED',
  // A person's rules (core/rules): details name the rule (id, decision, words, scope, lifetime).
  'RULE_ADDED',
  'RULE_REMOVED',
  /** A rule change changed the verdicts of a pending batch (details.entries: entryId, before, after). */
  'BATCH_REJUDGED',
  /** Finished batches older than the retention setting left the list for the archive (details: count, first/last id, range). */
  'BATCHES_ARCHIVED',
] as const;

export type AuditEventName = (typeof AUDIT_EVENTS)[number];

export type AuditVerdict = 'allow' | 'ask' | 'deny';

/** A JSON value as canonical JSON accepts it (integers only); `undefined` properties are left out. */
export type AuditDetailValue = null | boolean | number | string | AuditDetailValue[] | { [key: string]: AuditDetailValue | undefined };

/**
 * What a caller records. `seq`, `ts`, `prevHash` and `hash` are added by the writer.
 * Properties set to `undefined` count as absent.
 */
export interface AuditEventInput {
  event: AuditEventName;
  batchId?: string;
  entryId?: string;
  /** `shell` or `python`. */
  tool?: string;
  /** The exact command text that was (or would have been) run. */
  command?: string;
  verdict?: AuditVerdict;
  /** `manual` or `autonomy:<token fingerprint>`; never the token itself. */
  approvedBy?: string;
  exitCode?: number;
  signal?: string;
  /** Whole milliseconds. */
  durationMs?: number;
  /** SHA-256 (lowercase hex) of the full output stream; the output itself is never recorded. */
  stdoutSha256?: string;
  stderrSha256?: string;
  stdoutBytes?: number;
  stderrBytes?: number;
  /** A short human-readable explanation (why blocked, skipped, cancelled, recovered). */
  reason?: string;
  /** Event-specific extras. Checked for secret-looking and raw-output keys like the rest. */
  details?: { [key: string]: AuditDetailValue | undefined };
}

/** A record as it is stored: the input plus the chain fields. */
export interface AuditRecord extends AuditEventInput {
  /** 1-based, consecutive. */
  seq: number;
  /** ISO 8601 UTC with milliseconds, e.g. `2025-01-02T03:04:05.678Z`. */
  ts: string;
  /** `hash` of the previous record; {@link GENESIS_HASH} for the first. */
  prevHash: string;
  /** SHA-256 hex of the canonical JSON of this record without `hash`. */
  hash: string;
}

/** `prevHash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** The optional fields, in the order people read them (the file itself sorts keys). */
export const OPTIONAL_FIELDS = [
  'batchId',
  'entryId',
  'tool',
  'command',
  'verdict',
  'approvedBy',
  'exitCode',
  'signal',
  'durationMs',
  'stdoutSha256',
  'stderrSha256',
  'stdoutBytes',
  'stderrBytes',
  'reason',
  'details',
] as const satisfies readonly (keyof AuditEventInput)[];

export function isAuditEventName(value: unknown): value is AuditEventName {
  return typeof value === 'string' && (AUDIT_EVENTS as readonly string[]).includes(value);
}
