import type { FirstBad } from './chainChecker.js';
import { AuditError } from './errors.js';
import { GENESIS_HASH } from './events.js';
import { scanAuditLog, type LogScan } from './scanLog.js';

export type AuditVerification =
  | {
      ok: true;
      records: number;
      headSeq: number;
      /** Hash of the last record; {@link GENESIS_HASH} for an empty log. */
      headHash: string;
      /** 1 when the last record is not yet in the head checkpoint (a crash, or a write in progress). */
      checkpointLag: number;
    }
  | {
      ok: false;
      /** Records that verified before the first bad one. */
      records: number;
      firstBad: FirstBad;
    };

/**
 * Checks the whole audit log at `logPath` and its head checkpoint in one streaming pass and
 * names the first bad record (see `TamperReason` for the codes). Read-only: it never repairs.
 *
 * Throws {@link AuditError} `AUDIT_NOT_FOUND` when neither the log nor its checkpoint exists
 * (a log that is gone while its checkpoint remains is reported as `TRUNCATED`), and
 * `AUDIT_UNREADABLE` when the file system refuses to read them.
 */
export async function verifyAudit(logPath: string): Promise<AuditVerification> {
  const scan = await scanForVerification(logPath);
  if (!scan.exists && scan.checkpoint.kind === 'missing') {
    throw new AuditError('AUDIT_NOT_FOUND', `no audit log at ${logPath}`, { path: logPath });
  }
  if (scan.firstBad) return { ok: false, records: scan.records, firstBad: scan.firstBad };
  if (scan.torn) {
    const message = `the last line has no newline (${scan.torn.bytes} bytes, sha256 ${scan.torn.sha256}): a crash in the middle of a write; the writer cuts it off and records that when it next opens the log`;
    return { ok: false, records: scan.records, firstBad: { line: scan.torn.line, reason: 'TORN', message } };
  }
  return { ok: true, records: scan.records, headSeq: scan.head?.seq ?? 0, headHash: scan.head?.hash ?? GENESIS_HASH, checkpointLag: scan.checkpointLag };
}

/** {@link scanAuditLog} with file-system failures turned into the module's typed error. */
export async function scanForVerification(logPath: string): Promise<LogScan> {
  try {
    return await scanAuditLog(logPath);
  } catch (error) {
    if (error instanceof AuditError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new AuditError('AUDIT_UNREADABLE', `cannot read the audit log ${logPath}: ${code}`, { path: logPath, errno: code });
  }
}
