import type { FirstBad } from './chainChecker.js';
import type { AuditEventInput } from './events.js';
import { createSealingKey, Sealer } from './sealer.js';
import { readSealKey, type SealKeyState } from './sealKeyFile.js';
import { judgeSealing } from './sealJudge.js';
import type { LogScan } from './scanLog.js';

/** What a writer does about sealing once the log is ready for appending. */
export interface SealingResolution {
  sealer: Sealer;
  /** Records to append before the first seal: a late-seal note after a crash, a sealing start. */
  records: AuditEventInput[];
  /** Whether a new key was made (its verification key waits in `<log>.verify-key`). */
  newKey: boolean;
}

export interface SealingStart {
  /** A sealing problem that counts as tampering (seals cut off, records nobody sealed). */
  tampered: FirstBad | undefined;
  /** Call after the log was repaired or quarantined; `fresh` when a new chain starts. */
  resolve(fresh: boolean, now: Date): Promise<SealingResolution>;
}

/**
 * Reads the sealing key beside the log and judges it against the scan at open (`tookOver`: the
 * previous writer died holding the lock). Records after the last seal with no writer having died
 * are tampering; a missing, damaged or foreign key is not tampering with the log, but the writer
 * must start a new key and the trail says why (verification reports it as `SEAL_KEY_LOST`).
 */
export async function openSealing(logPath: string, scan: LogScan, tookOver: boolean): Promise<SealingStart> {
  const key = await readSealKey(logPath);
  const headSeq = scan.head?.seq ?? 0;
  const position = scan.seals.position;
  const judgement = judgeSealing({ headSeq, position, key, writer: tookOver ? { kind: 'crashed', pid: 0, startedAt: '' } : { kind: 'closed' } });
  const reason = judgement.firstBad?.reason;
  const tampered = reason === 'SEALS_CUT' || reason === 'UNSEALED_TAIL' ? judgement.firstBad : undefined;
  return {
    tampered,
    async resolve(fresh, now) {
      if (fresh || position.keyId === undefined || judgement.keyProblem) {
        const previous = position.keyId === undefined ? undefined : { keyId: position.keyId, problem: fresh ? undefined : judgement.keyProblem };
        const made = await createSealingKey(logPath, now, previous);
        return { sealer: made.sealer, records: [made.start], newKey: true };
      }
      const state = (key as { state: SealKeyState }).state;
      const sealer = new Sealer(logPath, state);
      // A writer that died between a seal and evolving the key left the used key: evolve it now.
      await sealer.advanceTo(position.epoch + 1);
      const records: AuditEventInput[] = [];
      if (judgement.unsealed) {
        const { fromSeq, toSeq } = judgement.unsealed;
        records.push({
          event: 'AUDIT_RECOVERED',
          reason: `records ${fromSeq}..${toSeq} were written after the last seal by a Leash process that died before sealing them; they are sealed from here, later than they were written`,
          details: { unsealedFromSeq: fromSeq, unsealedToSeq: toSeq },
        });
      }
      return { sealer, records, newKey: false };
    },
  };
}
