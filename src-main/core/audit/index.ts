/** The tamper-evident audit trail: write it, verify it, read its end. FORMAT.md has the format. */
export { AUDIT_EVENTS, GENESIS_HASH, type AuditDetailValue, type AuditEventInput, type AuditEventName, type AuditRecord, type AuditVerdict } from './events.js';
export { AuditError, type AuditErrorCode } from './errors.js';
export type { FirstBad, TamperReason } from './chainChecker.js';
export { checkpointPathFor, type AuditCheckpoint } from './checkpoint.js';
export { lockPathFor } from './lockFile.js';
export type { TamperedLogPolicy } from './openRecovery.js';
export { readAuditTail, type AuditTailEntry } from './tail.js';
export { verifyAudit, type AuditVerification, type SealReport, type VerifyOptions } from './verify.js';
export { formatVerificationKey, parseVerificationKey } from './sealKey.js';
export { forgetPendingKey, pendingKeyPathFor, readPendingKey, sealKeyPathFor, type PendingVerificationKey } from './sealKeyFile.js';
export type { SealedRange } from './sealTracker.js';
export { openAuditWriter, type AuditWriter, type AuditWriterOptions } from './writer.js';
