import type { FirstBad } from './chainChecker.js';
import { AuditError } from './errors.js';
import { GENESIS_HASH } from './events.js';
import { writerStateOf, type WriterState } from './lockFile.js';
import { scanAuditLog, type LogScan, type ScanOptions } from './scanLog.js';
import { readPendingKey, readSealKey } from './sealKeyFile.js';
import { judgeSealing } from './sealJudge.js';
import type { SealedRange } from './sealTracker.js';
import { evidenceOfTrail, type TrailHistory } from './trailEvidence.js';

/** What verification found about the seals (FORMAT.md "Seals"). */
export interface SealReport {
  /** Each sealing key's stretch of the trail, oldest first; empty when the trail was never sealed. */
  keys: SealedRange[];
  /** Records 1..sealedThrough are covered by a seal (checked or not); 0 when none. */
  sealedThrough: number;
  /** Records after the last seal, if any. */
  unsealed: { fromSeq: number; toSeq: number } | null;
  /** `checked`: the key given sealed part of the trail and its seals were checked; `not-given`: no key, MACs not checked. */
  verifyKey: 'checked' | 'not-given' | 'not-in-trail';
  /** Whether a Leash process has the trail open, died holding it, or neither. */
  writer: WriterState['kind'];
  /** The verification key of the current sealing key is still stored on this machine (not taken by a person). */
  keyOnMachine: boolean;
  /** Ranges sealed late, after the writer that wrote them died before sealing. */
  lateSealed: { fromSeq: number; toSeq: number; seq: number }[];
  notes: string[];
}

export type AuditVerification =
  | {
      ok: true;
      records: number;
      headSeq: number;
      /** Hash of the last record; {@link GENESIS_HASH} for an empty log. */
      headHash: string;
      /** 1 when the last record is not yet in the head checkpoint (a crash, or a write in progress). */
      checkpointLag: number;
      sealing: SealReport;
      /** The sealed segments checked before the active log, oldest first (FORMAT.md "Rotation"). */
      segments: string[];
    }
  | {
      ok: false;
      /** Records that verified before the first bad one. */
      records: number;
      firstBad: FirstBad;
      sealing: SealReport;
      segments: string[];
    };

export interface VerifyOptions {
  /** The verification key (parsed, see `parseVerificationKey`): seals made with it are checked. */
  verification?: { key: Buffer; keyId: string };
  /** Where else the trail shows (batches), so a deleted log is reported, not taken for none. */
  history?: TrailHistory;
}

/**
 * Checks the whole audit log at `logPath` (its sealed segments first, in order, when it was
 * rotated), its head checkpoint and its seals in one streaming pass and names the first bad record
 * (and, in a rotated trail, the file it is in) (see `TamperReason` for the codes). Read-only: it never
 * repairs. Without a verification key the seals' structure, the sealing key's epoch and the
 * unsealed tail are checked, and their MACs are not (`sealing.verifyKey: 'not-given'`).
 *
 * Throws {@link AuditError} `AUDIT_NOT_FOUND` when neither the log nor its checkpoint exists and
 * nothing shows a trail ever existed (a log that is gone while its checkpoint, its sealing key or
 * batches remain is reported as `TRUNCATED` or `MISSING`), and `AUDIT_UNREADABLE` when the file
 * system refuses to read them.
 */
export async function verifyAudit(logPath: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  const scan = await scanForVerification(logPath, { verification: options.verification });
  const writer = await writerStateOf(logPath).catch((): WriterState => ({ kind: 'closed' }));
  const key = await readSealKey(logPath).catch(() => ({ kind: 'invalid' as const, message: 'the sealing key file cannot be read' }));
  const headSeq = scan.head?.seq ?? 0;
  const judgement = judgeSealing({ headSeq, position: scan.seals.position, key, writer, verification: options.verification });
  const pending = await readPendingKey(logPath).catch(() => undefined);
  const sealing = sealReport(scan, writer, judgement.unsealed, judgement.notes, options.verification, pending !== undefined && pending.keyId === scan.seals.position.keyId);
  if (!scan.exists && scan.checkpoint.kind === 'missing') {
    const evidence = await evidenceOfTrail(logPath, options.history);
    if (evidence.length === 0) throw new AuditError('AUDIT_NOT_FOUND', `no audit log at ${logPath}`, { path: logPath });
    const message = `the audit log and its checkpoint are gone, but ${evidence.join('; ')}: the trail was deleted or moved, every record of it is missing`;
    return { ok: false, records: 0, firstBad: { line: 1, reason: 'MISSING', message }, sealing, segments: [] };
  }
  const fail = (firstBad: FirstBad): AuditVerification => ({ ok: false, records: scan.records, firstBad, sealing, segments: scan.segments });
  if (scan.firstBad) return fail(scan.firstBad);
  if (scan.torn) {
    const message = `the last line has no newline (${scan.torn.bytes} bytes, sha256 ${scan.torn.sha256}): a crash in the middle of a write; the writer cuts it off and records that when it next opens the log`;
    return fail({ line: scan.torn.line, reason: 'TORN', message });
  }
  if (scan.seals.failure) return fail(scan.seals.failure);
  const lost = sealing.keys.find((range) => range.previousKeyProblem !== undefined);
  if (lost) {
    const before = sealing.keys[sealing.keys.indexOf(lost) - 1];
    const gap = before ? `records ${before.sealedThrough + 1}..${lost.startedSeq - 1} were never sealed` : 'the records before it were never sealed with the earlier key';
    return fail({ seq: lost.startedSeq, line: lost.startedSeq, reason: 'SEAL_KEY_LOST', message: `the sealing key was ${lost.previousKeyProblem} when a writer opened the trail, so it started key ${lost.keyId} here: ${gap}` });
  }
  if (judgement.firstBad) return fail(judgement.firstBad);
  if (options.verification && sealing.verifyKey === 'not-in-trail') {
    const ids = sealing.keys.map((range) => range.keyId).join(', ') || 'none';
    return fail({ line: headSeq + 1, reason: 'SEAL_KEY_MISMATCH', message: `nothing in this trail is sealed with your verification key (key id ${options.verification.keyId}); the trail's sealing keys: ${ids}. It is the key of another trail, mistyped, or this trail was replaced` });
  }
  return { ok: true, records: scan.records, headSeq, headHash: scan.head?.hash ?? GENESIS_HASH, checkpointLag: scan.checkpointLag, sealing, segments: scan.segments };
}

function sealReport(
  scan: LogScan,
  writer: WriterState,
  unsealed: SealReport['unsealed'] | undefined,
  notes: string[],
  verification: VerifyOptions['verification'],
  keyOnMachine: boolean,
): SealReport {
  const keys = scan.seals.ranges.map((range) => ({ ...range }));
  const given = verification ? keys.find((range) => range.keyId === verification.keyId) : undefined;
  return {
    keys,
    sealedThrough: scan.seals.position.sealSeq,
    unsealed: unsealed ?? null,
    verifyKey: !verification ? 'not-given' : given ? 'checked' : 'not-in-trail',
    writer: writer.kind,
    keyOnMachine,
    lateSealed: [...scan.seals.lateSealed],
    notes,
  };
}

/** {@link scanAuditLog} with file-system failures turned into the module's typed error. */
export async function scanForVerification(logPath: string, options: ScanOptions = {}): Promise<LogScan> {
  try {
    return await scanAuditLog(logPath, options);
  } catch (error) {
    if (error instanceof AuditError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new AuditError('AUDIT_UNREADABLE', `cannot read the audit log ${logPath}: ${code}`, { path: logPath, errno: code });
  }
}
